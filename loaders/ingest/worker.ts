/**
 * @module A worker thread of the ingest: parses and reads blocks of JSON Lines and writes staged rows to its own
 * files, so that parsing runs on every core while the main thread only reads the file and hands out blocks.
 */
import {readlinkSync} from "node:fs";
import {getPriority, setPriority} from "node:os";
import {parentPort, workerData} from "node:worker_threads";
import {readerFor} from "./formatOf.js";
import {convertRecords, emptyTally} from "./convert.js";
import {convertRequests} from "./otlpRequests.js";
import {recordsFromBlock} from "./records.js";
import {StagingWriter} from "./stagingWriter.js";
import type {Format} from "../../src/core/schemas/trace.js";

export interface BlockTask {
  type: "block";
  id: number;
  format: Format;
  file: string;
  fileIndex: number;
  block: Uint8Array;
  firstLine: number;
  /** Quarantine records of another known format (the file's format was detected, not named). */
  checkShape: boolean;
  /** The block's lines are logged OTLP requests, read as one record (the intake's catch-up, see otlpRequests.ts). */
  requests?: boolean;
}

const {stagingDir, name} = workerData as {stagingDir: string; name: string};
yieldToMerges();
const writer = new StagingWriter(stagingDir, name);
const port = parentPort!;

port.on("message", (task: BlockTask | {type: "close"}) => {
  // Messages arrive in order, so every block sent before this one is already in the files it closes.
  if (task.type === "close") {
    port.postMessage({type: "closed", files: writer.close()});
    return;
  }
  const tally = emptyTally();
  try {
    if (task.requests)
      convertRequests(recordsFromBlock(task.block, task.firstLine), task.file, task.fileIndex, writer, tally);
    else
      convertRecords(
        readerFor(task.format),
        recordsFromBlock(task.block, task.firstLine),
        task.file,
        task.fileIndex,
        writer,
        tally,
        task.checkShape
      );
    port.postMessage({type: "done", id: task.id, tally});
  } catch (error) {
    port.postMessage({type: "failed", id: task.id, message: (error as Error).stack ?? String(error)});
  }
});

/**
 * Lowers this thread's scheduling priority (Linux, where a thread has its own id and nice value). Parsing fills
 * every core; at equal priority the merge running meanwhile got only its share of them, fell behind and was left
 * to run on its own once reading ended. Yielding to it keeps the store's work in step with the reading.
 */
function yieldToMerges(): void {
  try {
    const threadId = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, Math.min(getPriority(threadId) + 10, 19));
  } catch {
    // Elsewhere threads keep the process's priority: the ingest is as correct, the overlap only less even.
  }
}
