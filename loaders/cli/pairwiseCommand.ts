/**
 * @module `plumbline pairwise judge|agreement`: a pairwise judge asked about two experiments' outputs for every case
 * both answered, each pair in both orders; and how the judge and the reviewers of the Pairwise review page agree.
 */
import {setMaxListeners} from "node:events";
import {readFileSync} from "node:fs";
import {randomUUID} from "node:crypto";
import type {Metric} from "../../src/core/calibration/metric.js";
import {isDefined} from "../../src/core/calibration/metric.js";
import {pairClass} from "../../src/core/pairwise/orders.js";
import {pairExperiments, reviewAgreement, type ReviewAgreement} from "../../src/core/pairwise/review.js";
import {parsePairwiseSpec, type PairwiseSpec} from "../../src/core/schemas/pairwise.js";
import {readPairwiseChoices} from "../annotations/pairwiseLog.js";
import type {ResponseFormat} from "../judge/chatClient.js";
import {readExperimentPairs} from "../pairwise/experimentPairs.js";
import {judgePairs, type PairwiseRun} from "../pairwise/judgePairs.js";
import {withConnection, withReadConnection, workspaceDir} from "../store/db.js";
import {duckdbPairwiseCache, readPairwiseVerdicts, writePairwiseVerdicts} from "../store/pairwiseVerdicts.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import {requireWorkspace} from "./clusterCommand.js";
import type {Command, Io} from "./command.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {onInterrupt} from "./interrupt.js";
import {progressBar} from "./progress.js";

const help = `Usage: plumbline pairwise <judge | agreement> [options]

A pairwise judge is shown one case's input and two outputs and says which is better for one criterion, or that
neither is. Here the two outputs are two experiments' answers to the same dataset case. Output 1 is the answer of
the experiment whose name sorts first, whichever is named the baseline.

  judge --spec <file> --experiment <B> --baseline <A> [options]
      Asks the judge about every case both experiments answered, twice: once with each output shown first (an
      answer that changes with the order is position bias, and counts as a tie). Answers are stored in the
      workspace (table pairwise_verdicts), where \`pairwise agreement\` and the Pairwise review page read them.
      The endpoint is OPENAI_BASE_URL and OPENAI_API_KEY, or --base-url and --api-key-env; the key is never
      printed or stored. Answers are cached by the exact request, so asking again costs no calls.
      --model <name>          ask this model instead of the spec's
      --max-calls <n>         make at most n calls; the orders left unasked get no answer (run again for them)
      --concurrency <n>       calls in flight at once (default 8)
      --timeout <seconds>     per attempt (default 60)
      --max-attempts <n>      attempts per call, retrying 429/5xx/timeouts with backoff and Retry-After (default 5)
      --response-format <f>   json_schema (default), json_object, or none for servers that support neither
      --base-url <url>        the endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)
      --api-key-env <name>    the environment variable holding the key (default OPENAI_API_KEY)
  agreement --experiment <B> --baseline <A>
      Agreement on the pair of experiments: between the reviewers' choices on the Pairwise review page
      (annotations/pairwise.jsonl), and of each pairwise judge with the reviewers' majority, per order, and
      between its two orders.

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --json               print the summary as JSON
  -h, --help           show this help

Exit status: 0; for judge, 1 when any call ended as an error or orders were left by --max-calls, 2 on a usage
error or an unknown experiment, 130 when interrupted.`;

function positive(value: string | undefined, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw usageError(`invalid --${name}: ${value}`, "pairwise");
  return n;
}

function readSpec(file: string): PairwiseSpec {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CliError(`cannot read the pairwise spec ${file}: ${(error as Error).message}`, 2);
  }
  const parsed = parsePairwiseSpec(value);
  if ("errors" in parsed)
    throw new CliError(`${file} is not a pairwise judge spec:\n  ${parsed.errors.join("\n  ")}`, 2);
  return parsed.spec;
}

export const command: Command = {
  name: "pairwise",
  summary: "ask a pairwise judge about two experiments' outputs; measure its and the reviewers' agreement",
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "judge") return judge(rest, io);
    if (sub === "agreement") return agreement(rest, io);
    throw usageError(
      sub === undefined ? "name a subcommand: judge or agreement" : `unknown subcommand: ${sub}`,
      "pairwise"
    );
  }
};

function experimentsOf(values: {experiment?: string; baseline?: string}): [string, string] {
  if (!values.experiment || !values.baseline)
    throw usageError("name both experiments: --experiment <B> --baseline <A>", "pairwise");
  if (values.experiment === values.baseline)
    throw usageError("the experiment and the baseline are the same; name two experiments", "pairwise");
  return [values.baseline, values.experiment];
}

async function judge(args: string[], io: Io): Promise<number> {
  const {values} = parseVerbArgs("pairwise", {
    args,
    options: {
      spec: {type: "string"},
      experiment: {type: "string"},
      baseline: {type: "string"},
      model: {type: "string"},
      "max-calls": {type: "string"},
      concurrency: {type: "string"},
      timeout: {type: "string"},
      "max-attempts": {type: "string"},
      "response-format": {type: "string"},
      "base-url": {type: "string"},
      "api-key-env": {type: "string"},
      workspace: {type: "string"},
      json: {type: "boolean", default: false}
    }
  });
  if (!values.spec) throw usageError("name the pairwise judge: --spec <file>", "pairwise");
  const [baseline, candidate] = experimentsOf(values);
  const format = (values["response-format"] ?? "json_schema") as ResponseFormat;
  if (!["json_schema", "json_object", "none"].includes(format))
    throw usageError(`invalid --response-format: ${format}`, "pairwise");
  const concurrency = positive(values.concurrency, "concurrency", 8);
  const timeoutMs = positive(values.timeout, "timeout", 60, false) * 1000;
  const maxAttempts = positive(values["max-attempts"], "max-attempts", 5);
  const maxCalls = values["max-calls"] === undefined ? undefined : positive(values["max-calls"], "max-calls", 0);
  const spec = readSpec(values.spec);
  const keyVar = values["api-key-env"] ?? "OPENAI_API_KEY";
  const apiKey = io.env[keyVar];
  if (!apiKey)
    throw new CliError(
      `$${keyVar} is not set; export the judge endpoint's key (or name another variable with --api-key-env)`
    );
  const baseURL = values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1";
  const model = values.model ?? spec.judge.model;
  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);

  const controller = new AbortController();
  // The \`openai\` client adds a listener to the signal per request and keeps it; the signal lives for this run only,
  // so they are bounded by its calls, and Node's warning at eleven would only alarm.
  setMaxListeners(0, controller.signal);
  const release = onInterrupt({
    stop: () => {
      io.err("stopping: cancelling the calls in flight; the answers so far are kept");
      controller.abort();
    },
    again: () => io.err("already stopping")
  });
  const bar = progressBar("pairwise judge", process.stderr, "items");
  const runId = `pairwise-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  let run: PairwiseRun;
  let experiments: [string, string];
  let pairCount: number;
  try {
    ({run, experiments, pairCount} = await withConnection(workspace, async (connection) => {
      const found = await readExperimentPairs(connection, baseline, candidate);
      if (!found.pairs.length)
        throw new CliError(`${baseline} and ${candidate} have no case that both answered; nothing to judge`);
      const byId = new Map(found.pairs.map((p) => [p.pairId, p]));
      const result = await judgePairs({
        spec,
        pairs: found.pairs,
        client: {baseURL, apiKey, timeoutMs, maxAttempts, responseFormat: format},
        model,
        concurrency,
        cache: duckdbPairwiseCache(connection),
        ...(maxCalls ? {maxCalls} : {}),
        signal: controller.signal,
        onProgress: (p) => bar.update(p.done, p.total, `calls ${p.calls} cached ${p.cached} errors ${p.errors}`)
      });
      await writePairwiseVerdicts(
        connection,
        result.calls.map((c) => ({
          runId,
          judgeId: spec.id,
          judgeVersion: spec.version,
          judgeModel: model,
          experiments: found.experiments,
          caseId: byId.get(c.pairId)!.caseId,
          pairId: c.pairId,
          order: c.order,
          answer: c.answer?.preference ?? null,
          preference: c.answer ? pairClass(c.answer.preference, c.order) : null,
          reasoning: c.answer?.reasoning ?? null,
          error: c.error,
          cached: c.cached,
          inputTokens: c.inputTokens,
          outputTokens: c.outputTokens,
          cacheKey: c.cacheKey
        }))
      );
      return {run: result, experiments: found.experiments, pairCount: found.pairs.length};
    }));
  } finally {
    bar.done();
    release();
  }
  await afterWorkspaceChange(workspace);
  const counts = {"1": 0, "2": 0, tie: 0, none: 0};
  for (const j of run.judgments) counts[j.preference ?? "none"]++;
  const consistent = run.judgments.filter((j) => j.consistent === true).length;
  const both = run.judgments.filter((j) => j.consistent !== null).length;
  const summary = {
    runId,
    judge: spec.id,
    judgeVersion: spec.version,
    model,
    experiments,
    pairs: pairCount,
    calls: run.made,
    cached: run.cached,
    errors: run.errors,
    skipped: run.skipped,
    answeredBoth: both,
    consistent,
    preferences: {[experiments[0]]: counts["1"], [experiments[1]]: counts["2"], tie: counts.tie, none: counts.none},
    interrupted: run.interrupted
  };
  if (values.json) io.out(JSON.stringify(summary, null, 2));
  else
    io.out(
      [
        `${spec.id} ${spec.version} (${model}) on ${experiments[0]} (output 1) and ${experiments[1]} (output 2): run ${runId}`,
        `  ${pairCount} pairs, each in both orders: ${run.made} call${run.made === 1 ? "" : "s"}, ${run.cached} answer${run.cached === 1 ? "" : "s"} from the cache, ${run.errors} errors` +
          (run.skipped ? `, ${run.skipped} orders left by --max-calls` : ""),
        `  both orders answered on ${both} pairs; they agree on ${consistent} (the rest count as ties: position bias)`,
        `  preferred: ${experiments[0]} ${counts["1"]}, ${experiments[1]} ${counts["2"]}, tie ${counts.tie}, no answer ${counts.none}`,
        `  agreement with reviewers: plumbline pairwise agreement --experiment ${candidate} --baseline ${baseline}`
      ].join("\n")
    );
  if (run.interrupted) {
    io.err("interrupted; run the same command again: answered orders come from the cache");
    return 130;
  }
  if (run.skipped) io.err(`${run.skipped} orders were not asked (--max-calls); run again to ask them`);
  return run.errors > 0 || run.skipped > 0 ? 1 : 0;
}

const metric = (m: Metric, digits = 2) => (isDefined(m) ? m.value.toFixed(digits) : `undefined (${m.undefined})`);
const share = (m: Metric) => (isDefined(m) ? `${(m.value * 100).toFixed(0)} %` : `undefined (${m.undefined})`);

/** The agreement in words, one line per figure. */
export function agreementText(a: ReviewAgreement, experiments: readonly [string, string], pairs: number): string {
  const lines = [
    `pairwise review of ${experiments[0]} (output 1) and ${experiments[1]} (output 2): ${pairs} pairs, ${a.pairs} with a reviewer's choice` +
      (a.reviewers.length ? ` (${a.reviewers.join(", ")})` : "")
  ];
  if (!a.humans.annotatorPairs.length) lines.push("  reviewers: fewer than two reviewers chose on the same pairs");
  for (const p of a.humans.annotatorPairs)
    lines.push(
      `  reviewers ${p.a} and ${p.b}: agree on ${share(p.agreement.accuracy)} of ${p.agreement.n} pairs both chose on, Cohen's kappa ${metric(p.agreement.kappa)}`
    );
  if (!a.judges.length)
    lines.push("  no pairwise judge has answered on these experiments: run `plumbline pairwise judge`");
  for (const {judgeId, summary} of a.judges) {
    lines.push(
      `  judge ${judgeId}: ${summary.pairs} pairs, both orders answered on ${summary.answeredBoth}, the orders agree on ${summary.consistent}`
    );
    for (const j of summary.stats.judges)
      lines.push(
        `    ${j.rater.endsWith("/swapped") ? "output 2 first" : "output 1 first"}: agrees with the reviewers' majority on ${share(j.agreement.accuracy)} of ${j.agreement.n}, kappa ${metric(j.agreement.kappa)}`
      );
    for (const o of summary.stats.orders)
      lines.push(
        `    positional agreement: ${share(o.agreement)} of ${o.n} pairs, kappa between the orders ${metric(o.kappa)}`
      );
  }
  return lines.join("\n");
}

async function agreement(args: string[], io: Io): Promise<number> {
  const {values} = parseVerbArgs("pairwise", {
    args,
    options: {
      experiment: {type: "string"},
      baseline: {type: "string"},
      workspace: {type: "string"},
      json: {type: "boolean", default: false}
    }
  });
  const [baseline, candidate] = experimentsOf(values);
  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);
  const experiments = pairExperiments(baseline, candidate);
  const {pairs, verdicts} = await withReadConnection(workspace, async (connection) => ({
    pairs: (await readExperimentPairs(connection, baseline, candidate)).pairs.length,
    verdicts: await readPairwiseVerdicts(connection, experiments)
  }));
  const {choices, problems} = readPairwiseChoices(workspace);
  for (const p of problems) io.err(`${p.file}:${p.line}: ${p.reason}`);
  const mine = choices.filter((c) => c.experiments[0] === experiments[0] && c.experiments[1] === experiments[1]);
  const result = reviewAgreement(mine, verdicts);
  if (values.json) io.out(JSON.stringify({experiments, pairsBothAnswered: pairs, ...result}, null, 2));
  else io.out(agreementText(result, experiments, pairs));
  return 0;
}
