import assert from "node:assert/strict";
import {readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {Writable} from "node:stream";
import {after, describe, test} from "node:test";
import {tableFromIPC} from "apache-arrow";
import {startServer, type RunningServer} from "../server/serve.js";
import {ingest} from "../ingest/ingest.js";
import {readTraceFeatures} from "../store/queueFeatures.js";
import {traceListIPC} from "../store/traceList.js";
import {writeDetailPack} from "../store/detailPack.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {tempDir} from "../fixtures/tempDir.js";
import {feedbackLabelId} from "./feedbackRoutes.js";
import {logPath, readLog} from "./log.js";

const root = tempDir("feedback-api");
after(() => rmSync(root, {recursive: true, force: true}));

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/feedback`, {
    method: "POST",
    headers: {"content-type": "application/json", ...headers},
    body: typeof body === "string" ? body : JSON.stringify(body)
  });
const answer = async (response: Response) => (await response.json()) as Record<string, unknown>;

async function serving(name: string, options: {token?: string; maxBodyBytes?: number} = {}) {
  const workspace = join(root, name);
  const server = await startServer({
    workspace,
    host: options.token ? "0.0.0.0" : "127.0.0.1",
    port: 0,
    pages: false,
    ...options
  });
  return {workspace, server, base: `http://127.0.0.1:${server.port}`};
}

const endUserLabels = (server: RunningServer, traceId?: string) =>
  server.service.list({traceId}).filter((a) => a.source === "end_user");

function chatTrace(id: string): string {
  return JSON.stringify({
    id,
    messages: [
      {role: "user", content: "Where is my refund?"},
      {role: "assistant", content: "It was sent on Monday."}
    ]
  });
}

describe("POST /api/feedback", {timeout: 60_000}, () => {
  test("stores a thumbs-down as an end-user label and answers 201 with the stored id", async () => {
    const {server, base} = await serving("one");
    try {
      const response = await post(base, {
        id: "c-1",
        traceId: "t1",
        value: false,
        comment: "wrong amount",
        userId: "u9"
      });
      assert.equal(response.status, 201);
      assert.deepEqual(await answer(response), {
        id: feedbackLabelId("c-1"),
        clientId: "c-1",
        traceId: "t1",
        status: "created"
      });
      const [label, ...more] = endUserLabels(server, "t1");
      assert.equal(more.length, 0);
      assert.equal(label!.id, feedbackLabelId("c-1"));
      assert.deepEqual(
        {pass: label!.pass, score: label!.score, criterion: label!.criterion, annotator: label!.annotator},
        {pass: false, score: 0, criterion: "overall", annotator: "u9"}
      );
      assert.equal(label!.explanation, "wrong amount");
      // Langfuse's and LangSmith's names for span, criterion and score are read too.
      const aliases = await post(base, {id: "c-2", traceId: "t1", observationId: "s1", key: "overall", score: 0.9});
      assert.equal(aliases.status, 201);
      const aliased = endUserLabels(server, "t1").find((a) => a.id === feedbackLabelId("c-2"))!;
      assert.deepEqual([aliased.scope, aliased.pass, aliased.score], [{kind: "span", spanId: "s1"}, true, 0.9]);
    } finally {
      await server.close();
    }
  });

  test("the same id twice stores one feedback, even from two requests at once; changed content is a 409", async () => {
    const {server, base} = await serving("idempotent");
    try {
      const body = {id: "same", traceId: "t2", value: "down", comment: "rude"};
      const racing = await Promise.all([post(base, body), post(base, body)]);
      assert.deepEqual(racing.map((r) => r.status).sort(), [200, 201]);
      const receipts = await Promise.all(racing.map(answer));
      assert.deepEqual(new Set(receipts.map((r) => r.id)), new Set([feedbackLabelId("same")]));
      assert.deepEqual(receipts.map((r) => r.status).sort(), ["created", "duplicate"]);
      const retry = await post(base, body);
      assert.equal(retry.status, 200);
      assert.equal((await answer(retry)).status, "duplicate");
      assert.equal(endUserLabels(server, "t2").length, 1);

      const changed = await post(base, {...body, comment: "very rude"});
      assert.equal(changed.status, 409);
      assert.match(String((await answer(changed)).error), /already received with different content.*new id/);
      // Two different bodies racing under one new id: one is stored, the other refused.
      const clash = await Promise.all([
        post(base, {id: "clash", traceId: "t2", value: true}),
        post(base, {id: "clash", traceId: "t2", value: false})
      ]);
      assert.deepEqual(clash.map((r) => r.status).sort(), [201, 409]);
      assert.equal(endUserLabels(server, "t2").length, 2);
      const events = readLog(logPath(server.service.workspace)).events;
      assert.equal(events.length, 2, "the log holds one event per stored feedback");
    } finally {
      await server.close();
    }
  });

  test("feedback is on disk when acknowledged, and a restart still knows its id", async () => {
    const {workspace, server, base} = await serving("durable");
    const writes = Array.from({length: 30}, (_, i) => post(base, {id: `d-${i}`, traceId: `t${i % 5}`, value: i % 2}));
    assert.deepEqual(new Set((await Promise.all(writes)).map((r) => r.status)), new Set([201]));
    // Read straight from the file, before anything is closed or flushed.
    assert.equal(readLog(logPath(workspace)).events.length, 30);
    await server.close();
    const again = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
    try {
      assert.equal(endUserLabels(again).length, 30);
      const retry = await post(`http://127.0.0.1:${again.port}`, {id: "d-3", traceId: "t3", value: 1});
      assert.equal(retry.status, 200);
      assert.equal(endUserLabels(again).length, 30);
    } finally {
      await again.close();
    }
  });

  test("feedback for a trace not received yet is kept, and the trace shows it once ingested, never as ground truth", async () => {
    const {workspace, server, base} = await serving("early");
    try {
      assert.equal(
        (await post(base, {id: "e-1", traceId: "late", value: "thumbs_down", comment: "no refund"})).status,
        201
      );
      // A reviewer's label on another trace is ground truth: the view is not empty for want of labels.
      const reviewed = await fetch(`${base}/api/annotations`, {
        method: "POST",
        headers: {"content-type": "application/json"},
        body: JSON.stringify({
          traceId: "other",
          criterion: "overall",
          pass: false,
          annotator: "ana",
          source: "reviewer"
        })
      });
      assert.equal(reviewed.status, 201);
      const file = join(workspace, "late.jsonl");
      writeFileSync(file, `${chatTrace("late")}\n${chatTrace("other")}\n`);
      await server.service.flush();
      const summary = await ingest({workspace, paths: [file]});
      assert.equal(summary.added.traces, 2);
      const seen = await server.service.withStore(async (connection) => {
        const list = tableFromIPC(await traceListIPC(connection)).toArray() as {
          trace_id: string;
          feedback_count: number;
          has_feedback: boolean;
        }[];
        const feedback = (
          await connection.runAndReadAll(
            "SELECT name, value, label, comment, source FROM trace_feedback WHERE trace_id = 'late'"
          )
        ).getRowObjectsJS();
        const truth = (await connection.runAndReadAll("SELECT trace_id FROM ground_truth ORDER BY 1")).getRowsJS();
        const features = await readTraceFeatures(connection);
        // The detail record the explorer opens lists the feedback too.
        const chunks: Buffer[] = [];
        const out = new Writable({write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done())});
        await writeDetailPack(connection, out, {gzip: false, scratchDir: workspace});
        return {list, feedback, truth, features, detail: Buffer.concat(chunks).toString("utf8")};
      });
      const late = seen.list.find((r) => r.trace_id === "late")!;
      assert.deepEqual([late.feedback_count, late.has_feedback], [1, true]);
      assert.equal(seen.list.find((r) => r.trace_id === "other")!.feedback_count, 0);
      assert.deepEqual(seen.feedback, [
        {name: "overall", value: 0, label: "fail", comment: "no refund", source: "end_user"}
      ]);
      assert.match(seen.detail, /"traceId":"late".*"feedback":\[\{[^\]]*"comment":"no refund","source":"end_user"\}\]/);
      assert.deepEqual(seen.truth, [["other"]], "end-user feedback alone is not ground truth");
      // …but it is a queue signal: the negative feedback raises the trace.
      assert.equal(seen.features.find((f) => f.traceId === "late")!.negativeFeedback, 1);
      assert.equal(seen.features.find((f) => f.traceId === "other")!.negativeFeedback, 0);
    } finally {
      await server.close();
    }
  });

  test("a batch stores each feedback once and answers in order; an oversized batch is refused whole", async () => {
    const {server, base} = await serving("batch");
    try {
      assert.equal((await post(base, {id: "b-0", traceId: "t", value: true})).status, 201);
      const response = await post(base, {
        feedback: [
          {id: "b-0", traceId: "t", value: true},
          {id: "b-1", traceId: "t", value: 5},
          {id: "b-1", traceId: "t", value: 5}
        ]
      });
      assert.equal(response.status, 201);
      const {results} = (await answer(response)) as {results: {clientId: string; status: string}[]};
      assert.deepEqual(
        results.map((r) => [r.clientId, r.status]),
        [
          ["b-0", "duplicate"],
          ["b-1", "created"],
          ["b-1", "duplicate"]
        ]
      );
      const many = Array.from({length: 101}, (_, i) => ({id: `m-${i}`, traceId: "t", value: true}));
      const tooMany = await post(base, {feedback: many});
      assert.equal(tooMany.status, 400);
      assert.match(String((await answer(tooMany)).error), /1 to 100 feedback/);
      const badItem = await post(base, {
        feedback: [
          {id: "ok", traceId: "t", value: 1},
          {traceId: "t", value: 1}
        ]
      });
      assert.equal(badItem.status, 400);
      assert.match(String((await answer(badItem)).error), /^feedback\[1\]: invalid feedback: id:/);
      assert.equal(endUserLabels(server, "t").length, 2, "a refused batch stores none of its feedback");
    } finally {
      await server.close();
    }
  });

  test("bad requests get a JSON error saying what to send", async () => {
    const {server, base} = await serving("bad", {maxBodyBytes: 2048});
    try {
      const cases: [unknown, number, RegExp][] = [
        [{traceId: "t", value: true}, 400, /id: .*expected string/],
        [{id: "x", traceId: "t"}, 400, /send a value .* or a comment/],
        [{id: "x", traceId: "t", value: "meh"}, 400, /unrecognised verdict.*true\/false/],
        [{id: "x", traceId: "t", name: "tone", value: true}, 400, /unknown criterion tone.*the rubric has/],
        [{id: "x", traceId: "t", value: true, extra: 1}, 400, /extra/],
        [[{id: "x", traceId: "t", value: true}], 400, /an array.*takes a JSON object/],
        ["{", 400, /invalid JSON body/],
        [{id: "x", traceId: "t", value: true, comment: "x".repeat(4096)}, 413, /larger than this server's limit/]
      ];
      for (const [body, status, message] of cases) {
        const response = await post(base, body);
        assert.equal(response.status, status, JSON.stringify(body).slice(0, 80));
        assert.match(String((await answer(response)).error), message);
      }
      const crossSite = await post(base, {id: "x", traceId: "t", value: true}, {origin: "https://evil.example"});
      assert.equal(crossSite.status, 403);
      const get = await fetch(`${base}/api/feedback`);
      assert.equal(get.status, 405);
      assert.match(String((await answer(get)).error), /POST feedback/);
      assert.equal(endUserLabels(server).length, 0);
    } finally {
      await server.close();
    }
  });

  test("off loopback, feedback needs the server's token", async () => {
    const token = "feedback-token-for-test";
    const {server, base} = await serving("token", {token});
    try {
      const body = {id: "tok", traceId: "t", value: true};
      assert.equal((await post(base, body)).status, 401);
      assert.equal((await post(base, body, {authorization: "Bearer wrong"})).status, 401);
      assert.equal((await post(base, body, {authorization: `Bearer ${token}`})).status, 201);
    } finally {
      await server.close();
    }
  });

  test("the guide's JavaScript example, as written, sends feedback the server stores", async () => {
    const docs = join(PROJECT_ROOT, "docs");
    const guide = readdirSync(docs)
      .filter((name) => name.endsWith(".md"))
      .map((name) => readFileSync(join(docs, name), "utf8"))
      .find((text) => text.includes("## Feedback from a running app"));
    assert.ok(guide, "a guide in docs/ has a section “Feedback from a running app”");
    const section = guide.slice(guide.indexOf("## Feedback from a running app"));
    const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(example, "the guide has a JavaScript example under “Feedback from a running app”");
    assert.ok(example.split("\n").length <= 16);
    const {server, base} = await serving("readme");
    try {
      assert.ok(example.includes('"http://127.0.0.1:3000"'));
      const code = example.replace('"http://127.0.0.1:3000"', JSON.stringify(base));
      const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as {
        sendFeedback: (feedback: object) => Promise<{status: string}>;
      };
      const [label] = endUserLabels(server, "trace-42");
      assert.deepEqual([label?.pass, label?.explanation], [true, "solved it"]);
      await assert.rejects(module.sendFeedback({id: label!.id, traceId: "trace-42"}), /send a value/);
    } finally {
      await server.close();
    }
  });
});
