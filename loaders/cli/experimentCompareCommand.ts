/**
 * @module `plumbline experiment compare A B`: two experiments on the same dataset, scored by the same suite, case by
 * case. Output text is the candidates' and untrusted: it is printed through the terminal filter (control characters
 * shown, never obeyed) and cut to one line per side.
 */
import type {CaseComparison, Comparison, Spend} from "../../src/core/experiments/compare.js";
import {formatP, percent} from "../../src/core/gate/format.js";
import {createJudgeClient, type JudgeClient} from "../judge/judgeClient.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {compareWithBaseline} from "../gate/experimentCandidate.js";
import {loadSuite} from "../gate/suite.js";
import {workspaceDir} from "../store/db.js";
import {ExperimentError} from "../store/experiments.js";
import {requireWorkspace} from "./clusterCommand.js";
import type {Io} from "./command.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";

export const compareHelp = `Usage: plumbline experiment compare <A> <B> [options]

Compares experiment B with experiment A (the baseline), both run on the same dataset: every evaluator of the
suite scores each case's output, and per evaluator it shows A's and B's pass rates over the cases both have a
verdict on, the paired difference (B − A), the exact McNemar test on the cases whose verdict changed (two-sided
p), and the cases that regressed (passed in A, fail in B) and improved. Then cost and latency side by side, and
each case that changed with both outputs and verdicts. A case whose task failed has no verdict: it is counted
as unpaired.

Options:
  --suite <folder>      the evaluator specs to score with (default: the evaluators/ folder)
  --all-cases           list every case, not only those whose verdict changed
  --json                print the whole comparison as JSON
  --workspace <dir>     the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --base-url <url>      the judge endpoint for LLM judges in the suite (default: $OPENAI_BASE_URL)
  --api-key-env <name>  the environment variable holding the key (default OPENAI_API_KEY)
  -h, --help            show this help

Exit status: 0, or 2 on a usage error or an experiment that does not exist.`;

const money = (x: number | null) => (x === null ? "—" : `$${x.toFixed(4)}`);
const ms = (x: number | null) => (x === null ? "—" : `${Math.round(x)} ms`);
const signed = (x: number | null) => (x === null ? "—" : `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} pp`);

/** One line of a side's output, at most `max` characters. */
export function oneLine(text: string | null, max = 100): string {
  if (text === null) return "(no output)";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function spendLine(label: string, s: Spend): string {
  return `  ${label.padEnd(8)} cost ${money(s.totalCostUsd)} (mean ${money(s.meanCostUsd)} over ${s.costed} cases)  latency mean ${ms(s.meanLatencyMs)}, p50 ${ms(s.p50LatencyMs)}, p95 ${ms(s.p95LatencyMs)}  errors ${s.errors}`;
}

function caseLines(c: CaseComparison, evaluators: string[]): string[] {
  const verdicts = (side: CaseComparison["a"]) =>
    side ? evaluators.map((e) => `${e} ${side.verdicts[e] ?? "—"}`).join(", ") : "not run";
  const moved = [...c.regressed.map((e) => `${e} regressed`), ...c.improved.map((e) => `${e} improved`)].join(", ");
  return [
    `  ${c.caseId}${moved ? `: ${moved}` : ""}`,
    `    A: ${c.a ? (c.a.error ? `error: ${oneLine(c.a.error)}` : oneLine(c.a.output)) : "—"}  [${verdicts(c.a)}]`,
    `    B: ${c.b ? (c.b.error ? `error: ${oneLine(c.b.error)}` : oneLine(c.b.output)) : "—"}  [${verdicts(c.b)}]`
  ];
}

export function comparisonText(c: Comparison, allCases = false): string {
  const width = Math.max(9, ...c.evaluators.map((e) => e.evaluator.length));
  const lines = [
    `comparing ${c.b} (B) with ${c.a} (A): ${c.cases.length} cases`,
    "",
    `  ${"evaluator".padEnd(width)}  ${"A pass".padEnd(14)}  ${"B pass".padEnd(14)}  ${"B − A".padEnd(9)}  regressed  improved  p (McNemar, two-sided)`
  ];
  for (const e of c.evaluators) {
    const rate = (pass: number, r: number | null) => `${pass}/${e.paired} ${percent(r, 0)}`.padEnd(14);
    lines.push(
      `  ${e.evaluator.padEnd(width)}  ${rate(e.a.pass, e.a.rate)}  ${rate(e.b.pass, e.b.rate)}  ${signed(e.difference).padEnd(9)}  ${String(e.regressed.length).padEnd(9)}  ${String(e.improved.length).padEnd(8)}  ${formatP(e.test.pTwoSided)}${e.unpaired ? `  (${e.unpaired} unpaired)` : ""}`
    );
  }
  for (const e of c.evaluators.filter((e) => e.regressed.length))
    lines.push("", `regressed on ${e.evaluator} (pass in A, fail in B): ${e.regressed.join(", ")}`);
  for (const e of c.evaluators.filter((e) => e.improved.length))
    lines.push("", `improved on ${e.evaluator} (fail in A, pass in B): ${e.improved.join(", ")}`);
  lines.push("", "spend:", spendLine("A", c.spend.a), spendLine("B", c.spend.b));
  const shown = allCases ? c.cases : c.cases.filter((x) => x.regressed.length || x.improved.length);
  const ids = c.evaluators.map((e) => e.evaluator);
  lines.push(
    "",
    allCases ? "cases:" : `cases whose verdict changed (${shown.length}; --all-cases lists all ${c.cases.length}):`
  );
  for (const x of shown) lines.push(...caseLines(x, ids));
  return lines.join("\n");
}

export async function compare(args: string[], io: Io): Promise<number> {
  const {values, positionals} = parseVerbArgs("experiment", {
    args,
    allowPositionals: true,
    options: {
      suite: {type: "string"},
      "all-cases": {type: "boolean", default: false},
      json: {type: "boolean", default: false},
      workspace: {type: "string"},
      "base-url": {type: "string"},
      "api-key-env": {type: "string"},
      help: {type: "boolean", short: "h", default: false}
    }
  });
  if (values.help) {
    io.out(compareHelp);
    return 0;
  }
  if (positionals.length !== 2)
    throw usageError("name two experiments: compare <A (baseline)> <B (candidate)>", "experiment");
  const [a, b] = positionals as [string, string];
  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);
  const suite = loadSuite(values.suite ?? EVALUATORS_DIR);
  if (suite.problems.length) throw new CliError(`the suite cannot be read:\n  ${suite.problems.join("\n  ")}`, 2);
  let client: JudgeClient | undefined;
  const judges = suite.specs.filter((s) => s.spec.kind !== "rule");
  const keyVar = values["api-key-env"] ?? "OPENAI_API_KEY";
  if (judges.length && io.env[keyVar])
    client = createJudgeClient({
      baseURL: values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
      apiKey: io.env[keyVar]!
    });
  // Without a key the LLM judges are left out and said to be, rather than failing the whole comparison.
  const specs = client ? suite.specs : suite.specs.filter((s) => s.spec.kind === "rule");
  if (judges.length && !client)
    io.err(`left out ${judges.map((j) => j.spec.id).join(", ")} (LLM judges): $${keyVar} is not set`);
  let comparison: Comparison;
  try {
    comparison = await compareWithBaseline(workspace, a, b, specs, client);
  } catch (error) {
    if (error instanceof ExperimentError) throw new CliError(error.message, 2);
    throw error;
  }
  if (values.json) io.out(JSON.stringify(comparison, null, 2));
  else io.out(comparisonText(comparison, values["all-cases"]));
  return 0;
}
