/**
 * @module Appends staged rows (JSON Lines, one file per kind) for one writer: the in-process pipeline or a worker.
 * Rows are buffered and written in large blocks, so memory stays bounded whatever the input size.
 */
import {closeSync, openSync, writeSync} from "node:fs";
import {join} from "node:path";
import {STAGED_KINDS, type StagedFiles, type StagedKind} from "../store/stage.js";

const FLUSH_CHARS = 1 << 22;

export class StagingWriter {
  private readonly fds = new Map<StagedKind, number>();
  private readonly buffers = new Map<StagedKind, string[]>();
  private readonly sizes = new Map<StagedKind, number>();
  readonly files: StagedFiles = {sources: [], spans: [], messages: [], toolCalls: [], feedback: []};

  constructor(private readonly dir: string, private readonly name: string) {}

  write(kind: StagedKind, json: string): void {
    let buffer = this.buffers.get(kind);
    if (!buffer) this.buffers.set(kind, (buffer = []));
    buffer.push(json);
    const size = (this.sizes.get(kind) ?? 0) + json.length + 1;
    this.sizes.set(kind, size);
    if (size >= FLUSH_CHARS) this.flush(kind);
  }

  private flush(kind: StagedKind): void {
    const buffer = this.buffers.get(kind);
    if (!buffer?.length) return;
    let fd = this.fds.get(kind);
    if (fd === undefined) {
      const path = join(this.dir, `${this.name}.${kind}.jsonl`);
      fd = openSync(path, "w");
      this.fds.set(kind, fd);
      this.files[kind].push(path);
    }
    writeSync(fd, buffer.join("\n") + "\n");
    this.buffers.set(kind, []);
    this.sizes.set(kind, 0);
  }

  /** Flushes every buffer and closes the files; `files` then lists what was written. */
  close(): StagedFiles {
    for (const kind of STAGED_KINDS) this.flush(kind);
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    return this.files;
  }
}
