// Reviewing two experiments on the real τ-bench data: the demo workspace's `airline-regressions` dataset run by the
// fixed and the regressed scripted candidates; a pairwise judge asked about both answers to every case through an
// OpenAI-compatible server over real HTTP; reviewers' choices sent to the API server; their agreement; and the
// regressed candidate's failing traces queued for review.
import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {blindOrder} from "../../src/core/pairwise/blind.js";
import {pairIdOf} from "../../src/core/pairwise/review.js";
import {captureIo} from "../fixtures/captureIo.js";
import {copyTauExperimentsWorkspace} from "../fixtures/tauExperiments.js";
import {tempDir} from "../fixtures/tempDir.js";
import {chatCompletion, startFakeOpenAI, type FakeOpenAI, type FakeRequest} from "../judge/fakeOpenAI.js";
import {readExperimentPairs} from "../pairwise/experimentPairs.js";
import {startServer} from "../server/serve.js";
import {withReadConnection} from "../store/db.js";
import {main} from "./main.js";

const root = tempDir("experiment-review");
const workspace = join(root, "ws");
const specFile = join(root, "prefers-resolution.json");
after(() => rmSync(root, {recursive: true, force: true}));

let fake: FakeOpenAI;
const env = () => ({
  PLUMBLINE_WORKSPACE: workspace,
  PATH: process.env.PATH ?? "",
  OPENAI_BASE_URL: fake.baseURL,
  OPENAI_API_KEY: "test-key"
});

async function run(...args: string[]) {
  const io = captureIo(env());
  const status = await main(args, io);
  return {status, out: io.stdout.join("\n"), err: io.stderr.join("\n")};
}

const GAVE_UP = "something went wrong";
const experiments: [string, string] = ["tau-fixed", "tau-regressed"];
let caseIds: string[] = [];
/** Cases whose input the fake judge answers by position alone. */
let biased = new Set<string>();
const isBiased = (input: string) => input.length % 3 === 0;

/** The two outputs as the judge was shown them. */
function shown(request: FakeRequest): {a: string; b: string} {
  const user = (request.body.messages as {role: string; content: string}[]).find((m) => m.role === "user")!.content;
  return {a: /\[A\]\n([\s\S]*?)\n\[\/A\]/.exec(user)![1]!, b: /\[B\]\n([\s\S]*?)\n\[\/B\]/.exec(user)![1]!};
}

before(async () => {
  fake = await startFakeOpenAI();
  await copyTauExperimentsWorkspace(workspace);
  caseIds = (
    (await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll("SELECT case_id FROM experiment_results WHERE experiment = 'tau-fixed' ORDER BY ord")
      ).getRowObjectsJson()
    )) as {case_id: string}[]
  ).map((r) => r.case_id);
  const pairs = await withReadConnection(workspace, (c) => readExperimentPairs(c, "tau-fixed", "tau-regressed"));
  biased = new Set(pairs.pairs.filter((p) => isBiased(p.input)).map((p) => p.caseId));
  writeFileSync(
    specFile,
    JSON.stringify({
      kind: "pairwise_judge",
      id: "prefers-resolution",
      version: "1",
      criterion: "resolves the customer's request",
      judge: {model: "fake-judge", prompt: "{{input}}\n\n[A]\n{{output_a}}\n[/A]\n\n[B]\n{{output_b}}\n[/B]"}
    })
  );
});
after(() => fake?.close());

describe("pairwise review of two experiments on the τ-bench airline regressions", {timeout: 300_000}, () => {
  test("the pairwise judge asks every case in both orders, stores its answers, and asks nothing the second time", async () => {
    assert.ok(caseIds.length >= 10, `${caseIds.length} cases`);
    // The judge prefers the answer that resolved the request, except on some inputs, where it picks whichever answer it
    // is shown first: position bias, which the two orders expose.
    assert.ok(biased.size > 0 && biased.size < caseIds.length, `${biased.size} biased cases`);
    fake.respondWith("chat", (request) => {
      const {a, b} = shown(request);
      const user = (request.body.messages as {role: string; content: string}[]).find((m) => m.role === "user")!.content;
      const preference =
        isBiased(user.split("\n\n[A]\n")[0]!) || !a.includes(GAVE_UP) ? "A" : b.includes(GAVE_UP) ? "tie" : "B";
      return chatCompletion(JSON.stringify({reasoning: "compared both answers", preference}));
    });
    const before = fake.requests.length;
    const limited = await run(
      "pairwise",
      "judge",
      "--spec",
      specFile,
      "--experiment",
      "tau-regressed",
      "--baseline",
      "tau-fixed",
      "--max-calls",
      "10",
      "--json"
    );
    assert.equal(limited.status, 1, "orders left by --max-calls make the run incomplete");
    assert.match(limited.err, /run again to ask them/);
    const partial = JSON.parse(limited.out) as {calls: number; skipped: number; pairs: number};
    assert.equal(partial.calls, 10);
    assert.equal(partial.skipped, 2 * caseIds.length - 10);
    assert.equal(fake.requests.length - before, 10);

    const full = await run(
      "pairwise",
      "judge",
      "--spec",
      specFile,
      "--experiment",
      "tau-regressed",
      "--baseline",
      "tau-fixed",
      "--json"
    );
    assert.equal(full.status, 0, full.err);
    const summary = JSON.parse(full.out) as {
      calls: number;
      cached: number;
      pairs: number;
      consistent: number;
      preferences: Record<string, number>;
    };
    assert.equal(summary.pairs, caseIds.length);
    assert.equal(summary.cached, 10, "the answers of the limited run come from the cache");
    assert.equal(summary.calls, 2 * caseIds.length - 10);
    assert.equal(fake.requests.length - before, 2 * caseIds.length);
    const again = await run(
      "pairwise",
      "judge",
      "--spec",
      specFile,
      "--experiment",
      "tau-regressed",
      "--baseline",
      "tau-fixed",
      "--json"
    );
    assert.equal(JSON.parse(again.out).calls, 0);
    assert.equal(fake.requests.length - before, 2 * caseIds.length, "a rerun costs no calls");
    // Every request showed both experiments' answers, each first once per case.
    const firsts = fake.requests.slice(before).map((r) => shown(r).a.includes(GAVE_UP));
    assert.equal(firsts.filter(Boolean).length, caseIds.length);
  });

  test("reviewers' choices go through the API server's rules, and agreement is measured among them and with the judge", async () => {
    const server = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
    try {
      const choose = (reviewer: string, caseId: string, prefer: string, headers: Record<string, string> = {}) => {
        const order = blindOrder(reviewer, pairIdOf(experiments, caseId));
        const first = order === "1-first" ? "tau-fixed" : "tau-regressed";
        return fetch(`${server.url}/api/pairwise`, {
          method: "POST",
          headers: {"content-type": "application/json", ...headers},
          body: JSON.stringify({
            experiments,
            caseId,
            reviewer,
            order,
            choice: prefer === first ? "A" : "B",
            explanation: `${reviewer} read both`
          })
        });
      };
      const refused = await choose("ana", caseIds[0]!, "tau-fixed", {origin: "http://evil.example"});
      assert.equal(refused.status, 403, "a cross-origin write is refused");
      const wrong = await fetch(`${server.url}/api/pairwise`, {
        method: "POST",
        headers: {"content-type": "application/json"},
        body: JSON.stringify({experiments, caseId: caseIds[0], reviewer: "ana", order: "sideways", choice: "A"})
      });
      assert.equal(wrong.status, 400);
      assert.match(((await wrong.json()) as {error: string}).error, /invalid pairwise choice/);
      // Ana prefers the fixed answer on ten cases; Bo agrees on eight of them.
      for (let i = 0; i < 10; ++i) {
        const a = await choose("ana", caseIds[i]!, "tau-fixed");
        assert.equal(a.status, 201, await a.clone().text());
        const b = await choose("bo", caseIds[i]!, i < 8 ? "tau-fixed" : "tau-regressed");
        assert.equal(b.status, 201);
        const saved = (await b.json()) as {preferred: string};
        assert.equal(saved.preferred, i < 8 ? "tau-fixed" : "tau-regressed");
      }
      const listed = (await (await fetch(`${server.url}/api/pairwise?experiments=tau-regressed,tau-fixed`)).json()) as {
        choices: unknown[];
      };
      assert.equal(listed.choices.length, 20);
    } finally {
      await server.close();
    }
    const r = await run("pairwise", "agreement", "--experiment", "tau-regressed", "--baseline", "tau-fixed", "--json");
    assert.equal(r.status, 0, r.err);
    const agreement = JSON.parse(r.out) as {
      pairs: number;
      reviewers: string[];
      humans: {annotatorPairs: {agreement: {accuracy: {value: number}}}[]};
      judges: {
        judgeId: string;
        summary: {
          consistent: number;
          stats: {
            orders: {agreement: {value: number}}[];
            judges: {rater: string; agreement: {n: number; accuracy: {value: number}}}[];
          };
        };
      }[];
    };
    assert.equal(agreement.pairs, 10);
    assert.deepEqual(agreement.reviewers, ["ana", "bo"]);
    assert.equal(agreement.humans.annotatorPairs[0]!.agreement.accuracy.value, 0.8);
    const judge = agreement.judges[0]!;
    assert.equal(judge.judgeId, "prefers-resolution");
    assert.equal(judge.summary.consistent, caseIds.length - biased.size);
    assert.equal(judge.summary.stats.orders[0]!.agreement.value, (caseIds.length - biased.size) / caseIds.length);
    // The reviewers have a majority on the eight pairs they agree on, all "the fixed answer is better". Shown the fixed
    // answer first the judge always says so; shown the regressed one first it is fooled on the biased cases.
    const byOrder = Object.fromEntries(judge.summary.stats.judges.map((j) => [j.rater, j.agreement]));
    assert.equal(byOrder["prefers-resolution"]!.n, 8);
    assert.equal(byOrder["prefers-resolution"]!.accuracy.value, 1);
    const fooled = caseIds.slice(0, 8).filter((id) => biased.has(id)).length;
    assert.equal(byOrder["prefers-resolution/swapped"]!.accuracy.value, (8 - fooled) / 8);
    const text = await run("pairwise", "agreement", "--experiment", "tau-regressed", "--baseline", "tau-fixed");
    assert.match(text.out, /reviewers ana and bo: agree on 80 % of 10 pairs/);
    assert.match(text.out, /positional agreement: \d+ % of \d+ pairs/);
  });

  test("pairwise judge refuses a spec that is not a pairwise judge, and an unknown experiment", async () => {
    const notSpec = await run(
      "pairwise",
      "judge",
      "--spec",
      "evaluators/tool-call-failed.json",
      "--experiment",
      "tau-regressed",
      "--baseline",
      "tau-fixed"
    );
    assert.equal(notSpec.status, 2);
    assert.match(notSpec.err, /not a pairwise judge spec/);
    const unknown = await run(
      "pairwise",
      "judge",
      "--spec",
      specFile,
      "--experiment",
      "nope",
      "--baseline",
      "tau-fixed"
    );
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.err, /no experiment named nope/);
    const help = await run("pairwise", "--help");
    assert.match(help.out, /--max-calls/);
  });
});

describe("queueing an experiment's failing traces for review", {timeout: 300_000}, () => {
  test("without a trusted evaluator nothing is queued, and the message says how to trust one", async () => {
    const r = await run("experiment", "queue", "tau-regressed", "--queue", "regressions", "--annotators", "ana");
    assert.equal(r.status, 2);
    assert.match(r.err, /no trusted evaluator/);
    assert.match(r.err, /--trust point/);
  });

  test("the regressed candidate's traces that the trusted evaluator fails join the queue, once, and the Annotate page's queue lists them", async () => {
    const fixed = await run(
      "experiment",
      "queue",
      "tau-fixed",
      "--queue",
      "regressions",
      "--annotators",
      "ana",
      "--trust",
      "point",
      "--json"
    );
    assert.equal(fixed.status, 0, fixed.err);
    assert.equal(JSON.parse(fixed.out).added.length, 0, "the fixed candidate fails nothing");
    const half = await run(
      "experiment",
      "queue",
      "tau-regressed",
      "--queue",
      "regressions",
      "--trust",
      "point",
      "--share",
      "0.5",
      "--json"
    );
    assert.equal(half.status, 0, half.err);
    const first = JSON.parse(half.out) as {
      failing: number;
      inShare: number;
      added: string[];
      evaluators: {id: string}[];
    };
    assert.equal(first.failing, caseIds.length, "every regressed trace fails tool-error-not-recovered");
    assert.deepEqual(
      first.evaluators.map((e) => e.id),
      ["tool-error-not-recovered"]
    );
    assert.ok(first.inShare > 0 && first.inShare < caseIds.length, `${first.inShare} in a share of one half`);
    assert.equal(first.added.length, first.inShare);
    const all = await run(
      "experiment",
      "queue",
      "tau-regressed",
      "--queue",
      "regressions",
      "--trust",
      "point",
      "--evaluator",
      "tool-error-not-recovered"
    );
    assert.equal(all.status, 0, all.err);
    assert.match(
      all.out,
      new RegExp(`added ${caseIds.length - first.inShare} to queue regressions \\(${caseIds.length} in all\\)`)
    );
    const again = await run(
      "experiment",
      "queue",
      "tau-regressed",
      "--queue",
      "regressions",
      "--trust",
      "point",
      "--json"
    );
    assert.equal(JSON.parse(again.out).added.length, 0, "a trace is never queued twice");

    const regressedTraces = (
      (await withReadConnection(workspace, async (c) =>
        (
          await c.runAndReadAll("SELECT trace_id FROM experiment_results WHERE experiment = 'tau-regressed'")
        ).getRowObjectsJson()
      )) as {trace_id: string}[]
    ).map((r) => r.trace_id);
    const server = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
    try {
      const queue = (await (await fetch(`${server.url}/api/queues/regressions?annotator=ana`)).json()) as {
        todo: string[];
      };
      assert.deepEqual([...queue.todo].sort(), [...regressedTraces].sort());
    } finally {
      await server.close();
    }
  });
});
