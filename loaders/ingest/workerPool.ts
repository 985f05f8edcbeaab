/**
 * @module A small pool of ingest worker threads with bounded work in flight: each worker holds at most two blocks
 * (one in work, one waiting, so it never idles while the main thread reads the next), and the main thread never
 * reads further ahead than that, so memory stays flat whatever the file size.
 */
import {fileURLToPath} from "node:url";
import {Worker} from "node:worker_threads";
import {workerScriptOf} from "../bundle/currentBuild.mjs";
import type {StagedFiles} from "./stage.js";
import type {ConvertTally} from "./convert.js";
import type {BlockTask} from "./worker.js";

/** The worker's sources, run through the TypeScript loader: the fallback when the command's build is stale. */
export const SOURCE_WORKER = new URL("./workerEntry.mjs", import.meta.url);

/**
 * The worker threads' script: the command's build of it (see `loaders/bundle/build.mjs`) when that is current, or
 * the sources themselves. Each thread compiles the sources through the TypeScript loader, which starts a loader
 * thread of its own: about half a second of CPU per thread, against a tenth of that for the build.
 */
export function workerScript(env: NodeJS.ProcessEnv = process.env): Promise<URL> {
  return workerScriptOf(fileURLToPath(new URL("../..", import.meta.url)), env, "worker", SOURCE_WORKER);
}

type Reply =
  | {type: "done"; id: number; tally: ConvertTally}
  | {type: "failed"; id: number; message: string}
  | {type: "closed"; files: StagedFiles};

const DEPTH = 2;

export class WorkerPool {
  private readonly workers: Worker[];
  private readonly load: number[];
  private readonly pending = new Map<number, {resolve: (t: ConvertTally) => void; reject: (e: Error) => void}>();
  private readonly waiting: (() => void)[] = [];
  private readonly closing: ((files: StagedFiles) => void)[][] = [];
  private nextId = 0;

  /** `script` is the worker's module: the build from `workerScript()`, or the sources through the loader. */
  constructor(size: number, stagingDir: string, script: URL = SOURCE_WORKER) {
    this.load = Array.from({length: size}, () => 0);
    this.closing = Array.from({length: size}, () => []);
    this.workers = Array.from({length: size}, (_, i) => {
      const worker = new Worker(script, {workerData: {stagingDir, name: `worker${i}`}});
      worker.on("message", (reply: Reply) => this.onReply(i, reply));
      worker.on("error", (error) => this.failAll(error));
      return worker;
    });
  }

  private onReply(index: number, reply: Reply): void {
    if (reply.type === "closed") {
      this.closing[index]!.shift()?.(reply.files);
      return;
    }
    const entry = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    this.load[index]!--;
    this.waiting.shift()?.();
    if (!entry) return;
    if (reply.type === "done") entry.resolve(reply.tally);
    else entry.reject(new Error(reply.message));
  }

  private failAll(error: Error): void {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    return best;
  }

  /**
   * Hands a block (and its whole buffer, which the caller must not use afterwards) to the least busy worker,
   * waiting while every worker has a full queue. The result is wrapped so that awaiting the hand-off does not also
   * await the work.
   */
  async submit(task: Omit<BlockTask, "type" | "id">): Promise<{result: Promise<ConvertTally>}> {
    while (this.load[this.leastLoaded()]! >= DEPTH) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const index = this.leastLoaded();
    this.load[index]!++;
    const id = this.nextId++;
    const result = new Promise<ConvertTally>((resolve, reject) => this.pending.set(id, {resolve, reject}));
    // The block's memory moves to the worker instead of being copied: `lineBlocks` gives every block a buffer of
    // its own, which the caller hands over with the block.
    this.workers[index]!.postMessage({type: "block", id, ...task}, [task.block.buffer as ArrayBuffer]);
    return {result};
  }

  /**
   * Closes every worker's current staged files once the blocks already sent are done, and returns them; workers
   * go on staging into new files.
   */
  rotate(): Promise<StagedFiles[]> {
    return Promise.all(
      this.workers.map(
        (worker, i) =>
          new Promise<StagedFiles>((resolve) => {
            this.closing[i]!.push(resolve);
            worker.postMessage({type: "close"});
          })
      )
    );
  }

  /** Closes every worker's files, returns them, and ends the workers. */
  async close(): Promise<StagedFiles[]> {
    const files = await this.rotate();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    return files;
  }
}
