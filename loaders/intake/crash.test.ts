import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {once} from "node:events";
import {readdirSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {withReadConnection} from "../store/db.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {openReceiver} from "./receiver.js";

const MAIN = join(PROJECT_ROOT, "loaders", "intake", "fixtures", "receiverMain.ts");

async function startChild(workspace: string): Promise<{child: ChildProcess; port: number}> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, workspace, "20"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "inherit"]
  });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (data: Buffer) => {
      output += data.toString();
      const port = /listening (\d+)/.exec(output)?.[1];
      if (port) resolve(Number(port));
    });
    child.once("exit", (code) => reject(new Error(`the receiver exited with status ${code}`)));
  });
  return {child, port};
}

/** A request of `count` spans, each in a trace of its own half the time and sharing one otherwise. */
function request(first: number, count: number): {body: string; ids: string[]} {
  const ids: string[] = [];
  const spans = [];
  for (let n = first; n < first + count; n++) {
    const spanId = n.toString(16).padStart(16, "0");
    ids.push(spanId);
    spans.push({
      traceId: (n % 2 ? n : first).toString(16).padStart(32, "0"),
      spanId,
      name: `step ${n}`,
      startTimeUnixNano: `${1_700_000_000_000 + n}000000`,
      endTimeUnixNano: `${1_700_000_000_001 + n}000000`,
      attributes: [{key: "n", value: {intValue: String(n)}}]
    });
  }
  return {body: JSON.stringify({resourceSpans: [{scopeSpans: [{scope: {name: "crash"}, spans}]}]}), ids};
}

test("every span acknowledged before a kill -9, at random moments, is in the store after a restart, once", async (t) => {
  const workspace = tempDir("crash");
  t.after(() => removeTempDir(workspace));
  const seed = Date.now() % 100_000;
  let state = seed;
  const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const acknowledged = new Set<string>();
  let next = 1;
  for (let round = 0; round < 4; round++) {
    const {child, port} = await startChild(workspace);
    // The kill comes at a random moment once this round has had some spans acknowledged (a loaded machine starts
    // the receiver slowly, so a moment counted from its start could come before any answer).
    let ackedThisRound = 0;
    let killed = false;
    // Three clients at once, so a kill lands while writes, fsyncs and the catch-up's merges are under way.
    const client = async () => {
      while (!killed) {
        const {body, ids} = request(next, 1 + Math.floor(random() * 20));
        next += ids.length;
        try {
          const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
            method: "POST",
            headers: {"content-type": "application/json"},
            body
          });
          if (response.status === 200) {
            for (const id of ids) acknowledged.add(id);
            ackedThisRound += ids.length;
          }
          await response.body?.cancel();
        } catch {
          // The receiver was killed: what it had not answered was never acknowledged.
          return;
        }
      }
    };
    const clients = Promise.all([client(), client(), client()]);
    while (ackedThisRound < 20 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, random() * 600));
    child.kill("SIGKILL");
    await once(child, "exit");
    await clients;
    killed = true;
  }
  assert.ok(acknowledged.size > 50, `only ${acknowledged.size} spans were acknowledged (seed ${seed})`);
  const killed = readdirSync(join(workspace, "intake"));
  // Each restart deleted the segments of the receivers killed before it; the last one killed left its own.
  assert.ok(killed.length >= 1, `the last killed receiver left its segment (seed ${seed})`);
  const receiver = openReceiver({workspace, catchUpDelayMs: 0});
  await receiver.flush();
  await receiver.close();
  // Every segment of a killed receiver is deleted once taken in; at most the last receiver's own one is left.
  const left = readdirSync(join(workspace, "intake"));
  assert.deepEqual(
    left.filter((name) => killed.includes(name)),
    [],
    `segments of killed receivers are deleted once taken in (seed ${seed})`
  );
  assert.ok(left.length <= 1, `left: ${left.join(", ")}`);
  const stored = await withReadConnection(workspace, async (c) =>
    (await c.runAndReadAll("SELECT span_id, count(*)::INT AS n FROM spans GROUP BY span_id")).getRowObjectsJson()
  );
  const counts = new Map(stored.map((r) => [String(r.span_id), Number(r.n)]));
  const missing = [...acknowledged].filter((id) => !counts.has(id));
  assert.deepEqual(missing, [], `acknowledged spans missing from the store (seed ${seed})`);
  assert.deepEqual(
    [...counts].filter(([, n]) => n > 1),
    [],
    "no span is stored twice"
  );
});
