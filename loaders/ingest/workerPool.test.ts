import assert from "node:assert/strict";
import {existsSync, readdirSync, readFileSync, rmSync} from "node:fs";
import {test} from "node:test";
import {WorkerPool} from "./workerPool.js";
import {tempDir} from "../fixtures/tempDir.js";

/** The nice value of every thread of this process, by thread id (field 19 of `/proc/<pid>/task/<tid>/stat`). */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, nice 19.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      nice.set(Number(tid), Number(fields[16]));
    } catch {
      // A thread that ended while listing.
    }
  }
  return nice;
}

test(
  "ingest workers run at a lower priority than the rest of the process, so merges keep pace",
  {skip: !existsSync("/proc/thread-self")},
  async () => {
    const dir = tempDir("pool");
    const before = niceByThread();
    const own = before.get(process.pid)!;
    const pool = new WorkerPool(2, dir);
    try {
      // A worker answers only once its module has run, and lowering its priority is the module's first act.
      await pool.rotate();
      const after = niceByThread();
      const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === Math.min(own + 10, 19));
      assert.equal(lowered.length, 2, `threads and nice values: ${JSON.stringify([...after])}`);
      assert.equal(after.get(process.pid), own, "the main thread keeps its priority");
      for (const [tid, nice] of before)
        if (after.has(tid)) assert.equal(after.get(tid), nice, `thread ${tid} kept its priority`);
    } finally {
      await pool.close();
      rmSync(dir, {recursive: true, force: true});
    }
  }
);
