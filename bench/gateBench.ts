/**
 * @module The gate benchmark: `plumbline gate` with 40 calibrated rule evaluators over 10,000 traces (100,000 OTLP
 * GenAI spans), end to end as the command runs it minus the ingest — load the suite, read what evaluators need of
 * every trace from the store, run the rules, correct the failure rates, render JUnit, Markdown and JSON — with
 * each step timed; then the ingest of the 10k-trace file, and the whole command with `--traces`, each in a fresh
 * process.
 */
import {spawn} from "node:child_process";
import {mkdirSync, rmSync, writeFileSync} from "node:fs";
import {availableParallelism, loadavg} from "node:os";
import {join} from "node:path";
import {calibrationFromConfusion} from "../src/core/calibration/specCalibration.js";
import {compileRule} from "../src/core/evaluator/rule.js";
import {renderJunit} from "../src/core/gate/junit.js";
import {renderMarkdown} from "../src/core/gate/markdown.js";
import {ruleCounts} from "../src/core/gate/ruleCounts.js";
import {parseEvaluatorSpec, type EvaluatorSpecInput} from "../src/core/schemas/evaluator.js";
import {needsSpanAttributes, planSuite, runGate} from "../loaders/gate/runGate.js";
import {loadSuite} from "../loaders/gate/suite.js";
import {versionOf} from "../loaders/judge/specFile.js";
import {withConnection} from "../loaders/store/db.js";
import {readJudgeItems} from "../loaders/store/judgeItems.js";
import {generateOtlpFile} from "./ingestBench.js";
import {fmt, OUT, ROOT, runNode, table} from "./run.js";

const EVALUATORS = 40;
const SPANS = 100_000;

/** Conditions of the kinds generated and hand-written rules use, on what the synthetic traces hold. */
const CONDITIONS: {rule: unknown; scope?: "span" | "thread"}[] = [
  {rule: {op: "tool_call", failed: true}},
  {rule: {op: "regex", pattern: "timed out|unavailable", flags: "i", messages: {role: "tool"}}},
  {rule: {op: "contains", value: "let me check", messages: {role: "assistant", quantifier: "last"}}},
  {rule: {op: "tool_call", name: "lookup_order", failed: true}},
  {rule: {op: "threshold", field: "latency_ms", test: {gt: 3900}}},
  {rule: {op: "threshold", field: "tool_error_count", test: {gte: 2}}},
  {rule: {op: "jsonpath", path: "$['gen_ai.usage.input_tokens']", test: {gt: 440}}, scope: "span"},
  {
    rule: {
      op: "and",
      all: [
        {op: "tool_call", failed: true},
        {op: "not", condition: {op: "regex", pattern: "\\bsorry\\b", flags: "i", messages: {role: "assistant"}}}
      ]
    }
  },
  {
    rule: {
      op: "or",
      any: [
        {op: "status", is: "error"},
        {op: "regex", pattern: "\\b(error|exception)\\b", flags: "i", messages: {direction: "output"}}
      ]
    }
  },
  {rule: {op: "tool_call", failed: true, count: {gte: 2}}, scope: "thread"}
];

/** Figures for a mix like a real suite: seven in ten block, two report, one carries figures of an older version. */
function suiteSpecs(): EvaluatorSpecInput[] {
  return Array.from({length: EVALUATORS}, (_, i) => {
    const c = CONDITIONS[i % CONDITIONS.length]!;
    const input = {
      id: `bench-${String(i).padStart(2, "0")}`,
      version: "1.0.0",
      failureMode: `failure mode ${i % 25}`,
      criterion: "overall",
      kind: "rule",
      rule: c.rule,
      ...(c.scope ? {scope: c.scope} : {}),
      ...(i % 3 === 0 ? {gate: {minPassRate: 0.8}} : {})
    } as EvaluatorSpecInput;
    const parsed = parseEvaluatorSpec(input);
    if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
    const kind = i % 10;
    const confusion = kind < 7 ? {tp: 90, fp: 8, fn: 10, tn: 292} : {tp: 60, fp: 40, fn: 40, tn: 260};
    const calibration = calibrationFromConfusion(confusion, {
      evaluatorVersion: kind === 9 ? "0.9.0+000000000000" : versionOf(parsed.spec).version,
      criterion: "overall",
      labels: "bench",
      split: "held-out",
      measuredAt: "2026-11-01T00:00:00Z"
    });
    return {...input, calibration};
  });
}

/** The command in a fresh process: its wall time and exit status (1, blocked, is a result here, not a failure). */
function timedCli(args: string[]): Promise<{wallMs: number; code: number | null}> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {cwd: ROOT, stdio: ["ignore", "ignore", "pipe"]});
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 || code === 1
        ? resolve({wallMs: performance.now() - started, code})
        : reject(new Error(`gate exited ${code}: ${stderr}`))
    );
  });
}

export async function gateBench() {
  const file = join(OUT, `otlp-${SPANS}.jsonl`);
  const suiteDir = join(OUT, "gate-suite");
  const workspace = join(OUT, "gate-ws");
  console.log(`generating ${fmt.int(SPANS)} GenAI spans (10,000 traces) as OTLP/JSON Lines …`);
  await generateOtlpFile(file, SPANS);
  rmSync(suiteDir, {recursive: true, force: true});
  mkdirSync(suiteDir, {recursive: true});
  for (const spec of suiteSpecs()) writeFileSync(join(suiteDir, `${spec.id}.json`), JSON.stringify(spec, null, 2));

  rmSync(workspace, {recursive: true, force: true});
  const ingest = await runNode<{ingested: number; added: {traces: number}}>([
    "bin/plumbline.js",
    "ingest",
    "--workspace",
    workspace,
    "--json",
    file
  ]);

  const t0 = performance.now();
  const suite = loadSuite(suiteDir);
  if (suite.problems.length) throw new Error(suite.problems.join("\n"));
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  // As the command reads them: span attributes only when a trusted evaluator has a JSONPath condition (here, some do).
  const items = await withConnection(workspace, (connection) =>
    readJudgeItems(connection, {spanAttributes: needsSpanAttributes(planSuite(suite, 0.95))})
  );
  const t2 = performance.now();
  const run = await runGate({
    suite,
    items,
    registry: null,
    label: "bench",
    runId: "bench",
    defaultMinPassRate: 0.95,
    candidate: {kind: "traces", name: "bench", version: null, traces: items.length, rejected: 0}
  });
  const t3 = performance.now();
  const outputs = [renderJunit(run), renderMarkdown(run), JSON.stringify(run)];
  const t4 = performance.now();
  const cpu = process.cpuUsage(cpu0);

  // The rules alone, run again apart from the rest of the evaluation (corrected rates, coverage).
  const rulesStart = performance.now();
  for (const loaded of suite.specs)
    if (loaded.spec.kind === "rule") ruleCounts(loaded.spec.scope, compileRule(loaded.spec.rule), items);
  const rulesMs = performance.now() - rulesStart;
  const ran = run.evaluators.filter((e) => e.role !== "skipped").length;

  const cli = await timedCli(["bin/plumbline.js", "gate", "--suite", suiteDir, "--traces", file, "--json"]);

  const figures = {
    traces: items.length,
    evaluators: suite.specs.length,
    ran,
    blocked: run.blocked,
    blockedBy: run.blockedBy.length,
    outputBytes: outputs.reduce((n, o) => n + o.length, 0),
    loadAverage: loadavg()[0] ?? 0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ms: {
      loadSuite: t1 - t0,
      readItems: t2 - t1,
      evaluate: t3 - t2,
      rulesOnly: rulesMs,
      correctionAndRest: t3 - t2 - rulesMs,
      render: t4 - t3,
      total: t4 - t0
    },
    ingestMs: ingest.wallMs,
    ingested: ingest.result.added.traces,
    cliWithIngestMs: cli.wallMs,
    cliExit: cli.code
  };
  console.log(
    table([
      ["gate", "figure"],
      [
        `gate minus ingest: ${figures.evaluators} rule evaluators (${ran} trusted, run) × ${fmt.int(figures.traces)} traces (goal < 5 s)`,
        fmt.ms(figures.ms.total)
      ],
      [
        `  CPU time of the process, all threads (1-minute load average ${figures.loadAverage.toFixed(1)} on ${availableParallelism()} cores)`,
        fmt.ms(figures.cpuMs)
      ],
      ["  load and version the suite", fmt.ms(figures.ms.loadSuite)],
      ["  read every trace's messages, spans and tool calls from the store", fmt.ms(figures.ms.readItems)],
      ["  run the rules, correct the rates, coverage", fmt.ms(figures.ms.evaluate)],
      ["    the rules alone, run again apart", fmt.ms(figures.ms.rulesOnly)],
      ["  render JUnit, Markdown and JSON", fmt.ms(figures.ms.render)],
      [`ingest of the 10k-trace file (${fmt.int(SPANS)} spans), fresh process`, fmt.ms(figures.ingestMs)],
      [
        `plumbline gate --traces <that file>, fresh process (ingest included; exit ${cli.code})`,
        fmt.ms(figures.cliWithIngestMs)
      ]
    ])
  );
  return figures;
}
