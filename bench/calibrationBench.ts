/**
 * @module The calibration benchmark: every agreement metric with its interval (1,000 posterior draws) for 40 evaluators ×
 * 10,000 labels (and the naive index-resampling bootstrap it replaces, for comparison); 40 rule evaluators ×
 * 10,000 traces; and judge-run throughput against the local OpenAI-compatible server with a fixed 50 ms latency,
 * at concurrency 1, 8 and 32, next to the ideal (concurrency ÷ latency).
 */
import {mcc} from "../src/core/calibration/judgeAgreement.js";
import {confusion, type Confusion, type LabelPair} from "../src/core/calibration/confusion.js";
import {correctedFailureRate} from "../src/core/calibration/correction.js";
import {bootstrapIntervals, quantileSorted} from "../src/core/calibration/bootstrap.js";
import {reportFromConfusion} from "../src/core/calibration/report.js";
import {seededRandom} from "../src/core/calibration/rng.js";
import {compileRule, type RuleContext} from "../src/core/evaluator/rule.js";
import {ConditionSchema, parseEvaluatorSpec, type Condition} from "../src/core/schemas/evaluator.js";
import {httpFetch} from "../loaders/judge/httpFetch.js";
import {createJudgeClient} from "../loaders/judge/judgeClient.js";
import {memoryRunStore, runJudge} from "../loaders/judge/runner.js";
import type {JudgeItem} from "../loaders/store/judgeItems.js";
import {spawn} from "node:child_process";
import {join} from "node:path";
import {DEFAULT_DRAWS} from "../src/core/calibration/posterior.js";
import {fmt, ROOT, table} from "./run.js";

const EVALUATORS = 40;
const LABELS = 10_000;
/** The naive-versus-multinomial bootstrap comparison's resamples; the product's intervals use `DEFAULT_DRAWS`. */
const RESAMPLES = 1000;

function labelPairs(seed: number): LabelPair[] {
  const random = seededRandom(seed);
  const failRate = 0.1 + 0.3 * random();
  const tpr = 0.6 + 0.35 * random();
  const tnr = 0.7 + 0.29 * random();
  return Array.from({length: LABELS}, () => {
    const human = random() < failRate ? "fail" : "pass";
    const judge = human === "fail" ? (random() < tpr ? "fail" : "pass") : random() < tnr ? "pass" : "fail";
    return {human, judge} as LabelPair;
  });
}

/** The bootstrap this module's multinomial draw replaces: n index draws per resample. */
function naiveMccInterval(pairs: LabelPair[], resamples: number, seed: number): [number, number] {
  const random = seededRandom(seed);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const c: Confusion = {tp: 0, fp: 0, fn: 0, tn: 0};
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[Math.floor(random() * pairs.length)]!;
      c[p.human === "fail" ? (p.judge === "fail" ? "tp" : "fn") : p.judge === "fail" ? "fp" : "tn"]++;
    }
    const m = mcc(c);
    if ("value" in m) values.push(m.value);
  }
  values.sort((a, b) => a - b);
  return [quantileSorted(values, 0.025), quantileSorted(values, 0.975)];
}

function metricsFigures() {
  const sets = Array.from({length: EVALUATORS}, (_, i) => labelPairs(i + 1));
  const started = performance.now();
  let checksum = 0;
  for (let i = 0; i < sets.length; i++) {
    const c = confusion(sets[i]!);
    const report = reportFromConfusion(c, {resamples: DEFAULT_DRAWS, seed: i});
    const corrected = correctedFailureRate(c, {fail: 1234, total: 5000}, {resamples: DEFAULT_DRAWS, seed: i});
    const m = report.metrics.mcc.interval;
    checksum += ("low" in m ? m.low : 0) + ("value" in corrected.corrected ? corrected.corrected.value : 0);
  }
  const allMs = performance.now() - started;
  // The naive bootstrap on two evaluators, for MCC alone, scaled to 40: what the multinomial draw saves.
  const naiveStart = performance.now();
  const naive = naiveMccInterval(sets[0]!, RESAMPLES, 1);
  naiveMccInterval(sets[1]!, RESAMPLES, 2);
  const naiveMs = ((performance.now() - naiveStart) / 2) * EVALUATORS;
  const fast = bootstrapIntervals(confusion(sets[0]!), {resamples: RESAMPLES, seed: 1}).mcc;
  return {
    allMs,
    naiveMsFor40: naiveMs,
    checksum,
    sameInterval: {naive, multinomial: "low" in fast ? [fast.low, fast.high] : null}
  };
}

const CONDITIONS: unknown[] = [
  {op: "regex", pattern: "refund (of|has been)", flags: "i", messages: {role: "assistant"}},
  {op: "contains", value: "I cannot help", messages: {role: "assistant", quantifier: "last"}},
  {op: "tool_call", failed: true},
  {op: "tool_call", name: "cancel_reservation", argumentsContain: "ABC"},
  {op: "threshold", field: "latency_ms", test: {gt: 8000}},
  {op: "threshold", field: "total_tokens", test: {gt: 6000}},
  {op: "jsonpath", path: "$.gen_ai.usage.input_tokens", test: {gt: 3000}},
  {
    op: "and",
    all: [
      {op: "tool_call", failed: true},
      {op: "not", condition: {op: "contains", value: "sorry", messages: {role: "assistant"}}}
    ]
  },
  {
    op: "or",
    any: [
      {op: "status", is: "error"},
      {op: "regex", pattern: "\\b(error|exception)\\b", flags: "i"}
    ]
  },
  {op: "regex", pattern: "\\b\\d{3}-\\d{2}-\\d{4}\\b", messages: {direction: "output"}}
];

function syntheticTraces(n: number): RuleContext[] {
  const random = seededRandom(99);
  const words =
    "the booking flight refund policy customer agent please confirm change seat baggage fee cancel ticket".split(" ");
  const sentence = (k: number) => Array.from({length: k}, () => words[Math.floor(random() * words.length)]).join(" ");
  return Array.from({length: n}, (_, i) => ({
    status: random() < 0.05 ? "error" : "ok",
    fields: {
      latency_ms: random() * 12_000,
      total_tokens: Math.floor(random() * 9000),
      tool_error_count: random() < 0.1 ? 1 : 0
    },
    messages: Array.from({length: 8}, (_, k) => ({
      role: ["system", "user", "assistant", "tool"][k % 4]!,
      direction: k % 4 === 2 ? "output" : "input",
      content: sentence(40 + (k % 3) * 60)
    })),
    spans: [
      {
        name: "chat",
        kind: "llm",
        attributes: {"gen_ai.usage.input_tokens": Math.floor(random() * 5000), "gen_ai.request.model": "gpt-4o"}
      }
    ],
    toolCalls: [
      {
        name: i % 3 ? "get_user" : "cancel_reservation",
        arguments: `{"id":"ABC${i}"}`,
        result: "{}",
        success: random() > 0.1
      }
    ]
  }));
}

function ruleFigures() {
  const rules = Array.from({length: EVALUATORS}, (_, i) =>
    compileRule(ConditionSchema.parse(CONDITIONS[i % CONDITIONS.length]) as Condition)
  );
  const traces = syntheticTraces(LABELS);
  const started = performance.now();
  let fails = 0;
  for (const rule of rules) for (const trace of traces) if (rule(trace)) fails++;
  return {ms: performance.now() - started, evaluations: rules.length * traces.length, fails};
}

/** Starts the server in a child process; resolves with its base URL and a way to stop it. */
export function serverProcess(latencyMs: number): Promise<{baseURL: string; close(): void}> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "fakeServerChild.ts")], {
      cwd: ROOT,
      env: {...process.env, FAKE_LATENCY_MS: String(latencyMs)},
      stdio: ["pipe", "pipe", "inherit"]
    });
    let out = "";
    child.on("error", reject);
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n") && line)
        resolvePromise({baseURL: (JSON.parse(line) as {baseURL: string}).baseURL, close: () => child.stdin.end()});
    });
  });
}

/**
 * The same number of bare HTTP requests at the same concurrency against the same server, with no client library
 * and no runner: what this machine allows at that moment, so the runner's own cost can be told from contention.
 */
export async function rawHttpRate(baseURL: string, concurrency: number, calls: number): Promise<number> {
  const send = httpFetch();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (next < calls) {
        next++;
        const response = await send(`${baseURL}/chat/completions`, {
          method: "POST",
          headers: {"content-type": "application/json"},
          body: JSON.stringify({model: "m", messages: [{role: "user", content: `raw ${next}`}]})
        });
        await response.json();
      }
    })
  );
  return calls / ((performance.now() - started) / 1000);
}

async function runnerFigures() {
  const latencyMs = 50;
  const server = await serverProcess(latencyMs);
  const parsed = parseEvaluatorSpec({
    id: "bench",
    version: "1",
    failureMode: "f",
    criterion: "overall",
    kind: "llm_judge",
    judge: {model: "m", prompt: "{{trace}}"}
  });
  if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
  const rows: {
    concurrency: number;
    calls: number;
    seconds: number;
    callsPerSecond: number;
    ideal: number;
    ofIdeal: number;
    clientCpuMsPerCall: number;
    rawHttpPerSecond: number;
  }[] = [];
  try {
    // A short run first, so the figures measure warm code rather than the JIT compiling the client.
    for (const concurrency of [0, 1, 8, 32]) {
      const warmUp = concurrency === 0;
      const calls = warmUp ? 200 : Math.max(40, concurrency * 40);
      const items: JudgeItem[] = Array.from({length: calls}, (_, i) => {
        const messages = [
          {role: "user", direction: "input", content: `question ${concurrency}-${i}`},
          {role: "assistant", direction: "output", content: `answer ${i}`}
        ];
        return {
          traceId: `t${i}`,
          rule: {status: "ok", fields: {}, messages, spans: [], toolCalls: []},
          trace: {messages, toolCalls: []}
        };
      });
      const client = createJudgeClient({baseURL: server.baseURL, apiKey: "bench", maxAttempts: 1});
      const started = performance.now();
      const cpu = process.cpuUsage();
      const summary = await runJudge({
        spec: parsed.spec,
        evaluatorVersion: `bench-${concurrency}`,
        items,
        store: memoryRunStore(),
        runId: "b",
        datasetVersion: "d",
        client,
        concurrency: warmUp ? 16 : concurrency
      });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      if (summary.errors) throw new Error(`${summary.errors} errors at concurrency ${concurrency}`);
      if (warmUp) continue;
      const ideal = concurrency / (latencyMs / 1000);
      const rawHttpPerSecond = await rawHttpRate(server.baseURL, concurrency, calls);
      rows.push({
        concurrency,
        calls,
        seconds,
        callsPerSecond: calls / seconds,
        ideal,
        ofIdeal: calls / seconds / ideal,
        clientCpuMsPerCall: (used.user + used.system) / 1000 / calls,
        rawHttpPerSecond
      });
    }
  } finally {
    server.close();
  }
  return {latencyMs, rows};
}

export async function calibrationBench() {
  const metrics = metricsFigures();
  const rules = ruleFigures();
  const runner = await runnerFigures();
  console.log(
    table([
      ["calibration", "figure"],
      [
        `all metrics + intervals, ${EVALUATORS} evaluators × ${fmt.int(LABELS)} labels, ${fmt.int(DEFAULT_DRAWS)} posterior draws (goal < 1 s)`,
        fmt.ms(metrics.allMs)
      ],
      [`  the naive index bootstrap, MCC only, scaled to ${EVALUATORS} evaluators`, fmt.ms(metrics.naiveMsFor40)],
      [
        `  MCC interval, naive vs multinomial (evaluator 1)`,
        `${metrics.sameInterval.naive.map((x) => x.toFixed(4)).join("–")} vs ${metrics.sameInterval.multinomial?.map((x) => x.toFixed(4)).join("–")}`
      ],
      [`${EVALUATORS} rule evaluators × ${fmt.int(LABELS)} traces (a later gate wants < 5 s)`, fmt.ms(rules.ms)],
      ...runner.rows.map((r) => [
        `judge run, concurrency ${r.concurrency}, ${r.calls} calls at ${runner.latencyMs} ms: calls/s (ideal ${r.ideal})`,
        `${r.callsPerSecond.toFixed(1)} (${(r.ofIdeal * 100).toFixed(1)} % of ideal; bare HTTP ${r.rawHttpPerSecond.toFixed(1)}; runner CPU ${r.clientCpuMsPerCall.toFixed(2)} ms/call)`
      ])
    ])
  );
  return {metrics, rules, runner};
}
