/**
 * @module Appends staged rows (JSON Lines, one file per kind) for one writer: the in-process pipeline or a worker.
 *
 * Each row is encoded straight into a fixed buffer per kind, which is written out when full: no joined string
 * is ever built, and memory stays bounded whatever the input size.
 */
import {closeSync, openSync, writeSync} from "node:fs";
import {join} from "node:path";
import {emptyFiles, STAGED_KINDS, type StagedFiles, type StagedKind} from "../store/stage.js";

const BUFFER_BYTES = 1 << 22;

interface Sink {
  fd: number;
  buffer: Buffer;
  used: number;
}

export class StagingWriter {
  private readonly sinks = new Map<StagedKind, Sink>();
  private files: StagedFiles = emptyFiles();
  private generation = 0;

  constructor(private readonly dir: string, private readonly name: string) {}

  private sink(kind: StagedKind): Sink {
    let sink = this.sinks.get(kind);
    if (!sink) {
      const path = join(this.dir, `${this.name}.${this.generation}.${kind}.jsonl`);
      sink = {fd: openSync(path, "w"), buffer: Buffer.allocUnsafe(BUFFER_BYTES), used: 0};
      this.sinks.set(kind, sink);
      this.files[kind].push(path);
    }
    return sink;
  }

  write(kind: StagedKind, json: string): void {
    const sink = this.sink(kind);
    // UTF-8 takes at most three bytes per UTF-16 unit; a row that might not fit goes out after the buffer.
    const worst = json.length * 3 + 1;
    if (sink.used + worst > sink.buffer.length) {
      this.flush(sink);
      if (worst > sink.buffer.length) {
        writeSync(sink.fd, json + "\n");
        return;
      }
    }
    sink.used += sink.buffer.write(json, sink.used);
    sink.buffer[sink.used++] = 10;
  }

  private flush(sink: Sink): void {
    let offset = 0;
    while (offset < sink.used) offset += writeSync(sink.fd, sink.buffer, offset, sink.used - offset);
    sink.used = 0;
  }

  /**
   * Writes out every buffer, closes the files and returns them; later rows go to new files, so the closed ones can
   * be merged into the store while staging goes on.
   */
  close(): StagedFiles {
    for (const kind of STAGED_KINDS) {
      const sink = this.sinks.get(kind);
      if (!sink) continue;
      this.flush(sink);
      closeSync(sink.fd);
    }
    this.sinks.clear();
    const files = this.files;
    this.files = emptyFiles();
    this.generation++;
    return files;
  }
}
