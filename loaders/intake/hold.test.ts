import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {once} from "node:events";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {withConnection} from "../store/db.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {openReceiver} from "./receiver.js";

const FIXTURE = readFileSync(
  join(import.meta.dirname, "..", "formats", "fixtures", "otlp-manual-agent-tools.json"),
  "utf8"
);
const READER = join(PROJECT_ROOT, "loaders", "intake", "fixtures", "storeReader.ts");

/** The fixture's request with every span in trace `n`. */
function request(n: number) {
  const value = JSON.parse(FIXTURE) as {
    resourceSpans: {scopeSpans: {spans: {traceId: string}[]}[]}[];
  };
  for (const span of value.resourceSpans[0]!.scopeSpans[0]!.spans) span.traceId = n.toString(16).padStart(32, "0");
  return {body: Buffer.from(JSON.stringify(value)), contentType: "application/json", contentEncoding: undefined};
}

async function readFromAnotherProcess(workspace: string): Promise<{held: boolean; waitedMs: number; traces: number}> {
  const child = spawn(process.execPath, ["--import", "tsx", READER, workspace], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"]
  });
  let output = "";
  child.stdout.on("data", (data: Buffer) => void (output += data.toString()));
  child.stderr.on("data", (data: Buffer) => void (output += data.toString()));
  const [code] = (await once(child, "exit")) as [number];
  assert.equal(code, 0, output);
  const [, waited, traces] = /read (\d+) (\d+)/.exec(output)!;
  return {held: /held true/.test(output), waitedMs: Number(waited), traces: Number(traces)};
}

test("a store the intake holds while requests keep coming goes within seconds to another process that asks for it, and to an open in this one", async (t) => {
  const workspace = tempDir("hold");
  // Held for up to a minute unless asked: longer than a reader waits for a locked store (10 s).
  const receiver = openReceiver({workspace, catchUpDelayMs: 10, quietMs: 2000, holdMs: 300, maxHoldMs: 60_000});
  let sending = true;
  let sent = 0;
  const sender = (async () => {
    while (sending) {
      assert.equal((await receiver.handle(request(++sent))).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  t.after(async () => {
    sending = false;
    await sender;
    await receiver.close();
    removeTempDir(workspace);
  });
  while (receiver.live().stored < 2) await new Promise((resolve) => setTimeout(resolve, 20));

  const elsewhere = await readFromAnotherProcess(workspace);
  // The reader found the store held by the catch-up, then got it once it asked.
  assert.equal(elsewhere.held, true);
  assert.ok(elsewhere.waitedMs < 5000, `waited ${elsewhere.waitedMs} ms`);
  assert.ok(elsewhere.traces > 0);

  // The catch-up took the store back, and holds it again while requests keep coming.
  const before = receiver.live().stored;
  while (receiver.live().stored < before + 2) await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  const traces = await withConnection(workspace, async (c) =>
    Number((await c.runAndReadAll("SELECT count(*) FROM traces")).getRows()[0]![0])
  );
  const waitedMs = performance.now() - started;
  assert.ok(waitedMs < 3000, `waited ${waitedMs.toFixed(0)} ms in this process`);
  assert.ok(traces > elsewhere.traces);

  sending = false;
  await sender;
  await receiver.flush();
  const stored = await withConnection(workspace, async (c) =>
    Number((await c.runAndReadAll("SELECT count(DISTINCT trace_id) FROM spans")).getRows()[0]![0])
  );
  assert.equal(stored, sent);
});
