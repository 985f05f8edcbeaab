/**
 * @module A small pool of ingest worker threads with bounded work in flight, so the main thread never reads
 * further ahead of the workers than a few blocks (memory stays flat whatever the file size).
 */
import {Worker} from "node:worker_threads";
import type {StagedFiles} from "../store/stage.js";
import type {ConvertTally} from "./convert.js";
import type {BlockTask} from "./worker.js";

type Reply =
  | {type: "done"; id: number; tally: ConvertTally}
  | {type: "failed"; id: number; message: string}
  | {type: "closed"; files: StagedFiles};

export class WorkerPool {
  private readonly workers: Worker[];
  private readonly idle: Worker[];
  private readonly pending = new Map<number, {resolve: (t: ConvertTally) => void; reject: (e: Error) => void}>();
  private readonly waiting: (() => void)[] = [];
  private nextId = 0;

  constructor(size: number, stagingDir: string) {
    // A plain-JavaScript entry registers the TypeScript loader inside the worker before loading its source.
    const url = new URL("./workerEntry.mjs", import.meta.url);
    this.workers = Array.from({length: size}, (_, i) => {
      const worker = new Worker(url, {workerData: {stagingDir, name: `worker${i}`}});
      worker.on("message", (reply: Reply) => this.onReply(worker, reply));
      worker.on("error", (error) => this.failAll(error));
      return worker;
    });
    this.idle = [...this.workers];
  }

  private onReply(worker: Worker, reply: Reply): void {
    if (reply.type === "closed") return;
    const entry = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    this.idle.push(worker);
    this.waiting.shift()?.();
    if (!entry) return;
    if (reply.type === "done") entry.resolve(reply.tally);
    else entry.reject(new Error(reply.message));
  }

  private failAll(error: Error): void {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }

  /**
   * Hands a block to the next idle worker, waiting for one when all are busy. The result is wrapped so that
   * awaiting the hand-off does not also await the work.
   */
  async submit(task: Omit<BlockTask, "type" | "id">): Promise<{result: Promise<ConvertTally>}> {
    while (this.idle.length === 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const worker = this.idle.shift()!;
    const id = this.nextId++;
    const result = new Promise<ConvertTally>((resolve, reject) => this.pending.set(id, {resolve, reject}));
    const block = task.block;
    // Transfer the block's memory instead of copying it when it owns its buffer.
    const transfer = block.byteOffset === 0 && block.byteLength === block.buffer.byteLength ? [block.buffer as ArrayBuffer] : [];
    worker.postMessage({type: "block", id, ...task}, transfer);
    return {result};
  }

  /** Closes every worker's files and returns them. */
  async close(): Promise<StagedFiles[]> {
    const files = await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<StagedFiles>((resolve, reject) => {
            worker.on("message", (reply: Reply) => reply.type === "closed" && resolve(reply.files));
            worker.once("error", reject);
            worker.postMessage({type: "close"});
          })
      )
    );
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    return files;
  }
}
