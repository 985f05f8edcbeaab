// `plumbline … | head`: the reader closes the pipe after the first lines, and the command must end quietly.
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, test} from "node:test";
import {QUEUE_VERSION, type Queue} from "../../src/core/schemas/queue.js";
import {writeQueue} from "../annotations/files.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {buildDirOf, currentBuild} from "../bundle/currentBuild.mjs";

const workspace = mkdtempSync(join(tmpdir(), "plumbline-closed-pipe-"));
after(() => rmSync(workspace, {recursive: true, force: true}));

test("queue show into a pipe closed after the first chunk exits 0 with nothing on standard error", async () => {
  // Far more than a pipe's buffer (64 KiB on Linux), so writes are still to come when the reader goes away.
  const items = Array.from({length: 5000}, (_, i) => ({
    traceId: `trace-${i}`,
    score: 1,
    random: false,
    clusterWeight: 1,
    contributions: [{signal: "hedging" as const, points: 1, reason: "the answer hedges where the question was plain"}]
  }));
  const queue: Queue = {
    version: QUEUE_VERSION,
    id: "big",
    name: "Big",
    annotators: ["ana"],
    annotatorsPerTrace: 1,
    criterion: "overall",
    size: items.length,
    randomShare: 0,
    seed: 1,
    filter: {model: null, status: null, format: null, text: "", minScore: 0},
    createdAt: 0,
    items
  };
  writeQueue(workspace, queue);
  // The build when it is current (scripts/test.mjs makes it so), as a user runs the command: loading the sources
  // through tsx instead costs several seconds. A build older than a source being edited would print its rebuild
  // line first, so then the sources are run.
  const built = (await currentBuild(PROJECT_ROOT, buildDirOf(PROJECT_ROOT))) !== null;
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "plumbline.js"), "queue", "show", "big"], {
    env: {...process.env, PLUMBLINE_WORKSPACE: workspace, ...(built ? {} : {PLUMBLINE_DEV: "1"})},
    stdio: ["ignore", "pipe", "pipe"]
  });
  let first = "";
  child.stdout.once("data", (chunk: Buffer) => {
    first = String(chunk);
    child.stdout.destroy();
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s]))
  );
  assert.match(first, /^Big: 0 of 5000 complete/);
  assert.equal(stderr, "", "no EPIPE stack trace");
  assert.deepEqual([code, signal], [0, null]);
});
