/** @module `plumbline judge run`: run an evaluator (rule, LLM judge or hybrid) over the workspace's traces. */
import {randomUUID} from "node:crypto";
import {withConnection, workspaceDir} from "../store/db.js";
import {registerEvaluatorVersion} from "../store/calibration.js";
import {missingTraces, readJudgeItems} from "../store/judgeItems.js";
import {clearRunErrors, duckdbRunStore, readRun, saveRun} from "../store/judgeVerdicts.js";
import {createJudgeClient, type JudgeClient, type ResponseFormat} from "../judge/judgeClient.js";
import {datasetVersionOf, runJudge, type Price, type RunSummary} from "../judge/runner.js";
import {loadSpec, versionRecord} from "../judge/specFile.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command, Io} from "./command.js";
import {onInterrupt} from "./interrupt.js";
import {progressBar} from "./progress.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline judge run --evaluator <id or file> [options]

Runs one evaluator over the workspace's traces and stores a verdict per trace (table judge_verdicts) with the
evaluator version, judge model, prompt hash and dataset version. Rule evaluators need no model. LLM judges call
an OpenAI-compatible endpoint: OPENAI_BASE_URL and OPENAI_API_KEY from the environment, or --base-url and
--api-key-env. The key is never printed or stored. A call that fails or answers something that is not a valid
verdict is stored as an error, never as a verdict.

Answers are cached by evaluator version, judge model and trace content, so running again costs no calls.
Ctrl-C stops a run after the calls in flight; --resume <run id> continues it.

Options:
  --evaluator <id|file>   a spec in evaluators/ by id, or a path to a spec file (required)
  --trace <id>            judge only this trace (repeatable); default: every trace
  --limit <n>             judge at most n traces
  --model <name>          ask this model instead of the spec's
  --concurrency <n>       calls in flight at once (default 8)
  --timeout <seconds>     per attempt (default 60)
  --max-attempts <n>      attempts per call, retrying 429/5xx/timeouts with backoff and Retry-After (default 5)
  --response-format <f>   json_schema (default), json_object, or none for servers that support neither
  --price-in <usd>        price per million input tokens, to record cost (no cost is recorded without prices)
  --price-out <usd>       price per million output tokens
  --base-url <url>        the endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)
  --api-key-env <name>    the environment variable holding the key (default OPENAI_API_KEY)
  --run-id <id>           name the run (default: a new id)
  --resume <run id>       continue an interrupted run: judge only the traces it has no verdict for
  --dataset-version <v>   record this dataset version (default: a hash of the judged traces' contents)
  --workspace <dir>       the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --json                  print the summary as JSON
  -h, --help              show this help

Exit status: 0 when every trace got a verdict, 1 when any call ended as an error, 2 on a usage error,
130 when interrupted.`;

function positive(value: string | undefined, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw usageError(`invalid --${name}: ${value}`, "judge");
  return n;
}

export const command: Command = {
  name: "judge",
  summary: "run an evaluator or LLM judge over the workspace's traces",
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "run")
      throw usageError(sub === undefined ? "name a subcommand: run" : `unknown subcommand: ${sub}`, "judge");
    const {values} = parseVerbArgs("judge", {
      args: rest,
      options: {
        evaluator: {type: "string"},
        trace: {type: "string", multiple: true},
        limit: {type: "string"},
        model: {type: "string"},
        concurrency: {type: "string"},
        timeout: {type: "string"},
        "max-attempts": {type: "string"},
        "response-format": {type: "string"},
        "price-in": {type: "string"},
        "price-out": {type: "string"},
        "base-url": {type: "string"},
        "api-key-env": {type: "string"},
        "run-id": {type: "string"},
        resume: {type: "string"},
        "dataset-version": {type: "string"},
        workspace: {type: "string"},
        json: {type: "boolean", default: false}
      }
    });
    if (!values.evaluator) throw usageError("name the evaluator: --evaluator <id or file>", "judge");
    if (values.resume && values["run-id"]) throw usageError("give --resume or --run-id, not both", "judge");
    const format = (values["response-format"] ?? "json_schema") as ResponseFormat;
    if (!["json_schema", "json_object", "none"].includes(format))
      throw usageError(`invalid --response-format: ${format}`, "judge");
    const concurrency = positive(values.concurrency, "concurrency", 8);
    const timeoutMs = positive(values.timeout, "timeout", 60, false) * 1000;
    const maxAttempts = positive(values["max-attempts"], "max-attempts", 5);
    const limit = values.limit === undefined ? undefined : positive(values.limit, "limit", 0);
    let price: Price | null = null;
    if ((values["price-in"] === undefined) !== (values["price-out"] === undefined))
      throw usageError("give both --price-in and --price-out", "judge");
    if (values["price-in"] !== undefined) {
      const input = Number(values["price-in"]);
      const output = Number(values["price-out"]);
      if (!(input >= 0) || !(output >= 0))
        throw usageError("prices are non-negative numbers (USD per million tokens)", "judge");
      price = {input, output};
    }

    const {spec, version} = loadSpec(values.evaluator);
    if (spec.kind !== "rule" && spec.scope !== "trace") {
      throw new CliError(
        `the evaluator ${spec.id} asks a judge about each ${spec.scope}; LLM judges run on whole traces (scope "trace"), rules on spans and threads too`
      );
    }
    let client: JudgeClient | undefined;
    if (spec.kind !== "rule") {
      const keyVar = values["api-key-env"] ?? "OPENAI_API_KEY";
      const apiKey = io.env[keyVar];
      const baseURL = values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1";
      if (!apiKey)
        throw new CliError(
          `the evaluator ${spec.id} is an LLM judge and $${keyVar} is not set; export it (or name another variable with --api-key-env)`
        );
      client = createJudgeClient({baseURL, apiKey, timeoutMs, maxAttempts, responseFormat: format});
    }

    const workspace = values.workspace ?? workspaceDir(io.env);
    const runId =
      values.resume ?? values["run-id"] ?? `run-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const controller = new AbortController();
    const release = onInterrupt({
      stop: () => {
        io.err("stopping: cancelling the calls in flight and recording the run as interrupted");
        controller.abort();
      },
      again: () => io.err("already stopping: the run is being recorded as interrupted")
    });
    const bar = progressBar("judge", process.stderr, "items");
    let summary: RunSummary;
    try {
      summary = await withConnection(workspace, async (connection) => {
        const resumed = values.resume ? await readRun(connection, values.resume) : null;
        if (values.resume) {
          if (!resumed) throw new CliError(`no run ${values.resume} in this workspace`);
          if (resumed.evaluatorVersion !== version) {
            throw new CliError(
              `run ${resumed.runId} used evaluator version ${resumed.evaluatorVersion}, but the spec is now ${version}; start a new run`
            );
          }
        }
        if (values.trace) {
          const missing = await missingTraces(connection, values.trace);
          if (missing.length)
            throw new CliError(`no such trace${missing.length > 1 ? "s" : ""} in the workspace: ${missing.join(", ")}`);
        }
        const items = await readJudgeItems(connection, {
          ...(values.trace ? {traceIds: values.trace} : {}),
          ...(limit ? {limit} : {})
        });
        if (!items.length)
          throw new CliError(
            "the workspace has no traces to judge; run `plumbline ingest <files>` or `plumbline demo` first"
          );
        const datasetVersion = values["dataset-version"] ?? datasetVersionOf(items);
        if (resumed && resumed.datasetVersion !== datasetVersion) {
          throw new CliError(
            `run ${resumed.runId} judged dataset ${resumed.datasetVersion}, but these options select ${datasetVersion}; ` +
              "resume with the same --trace, --limit and --dataset-version as the run had, or start a new run"
          );
        }
        if (resumed) await clearRunErrors(connection, resumed.runId);
        const model = spec.kind === "rule" ? null : (values.model ?? spec.judge.model);
        const runRow = {
          runId,
          evaluatorId: spec.id,
          evaluatorVersion: version,
          judgeModel: model,
          datasetVersion,
          status: "running" as const,
          total: items.length,
          calls: 0,
          errors: 0,
          costUsd: null
        };
        await registerEvaluatorVersion(connection, versionRecord(spec, version, model));
        const previous = await readRun(connection, runId);
        await saveRun(connection, previous ?? runRow, false);
        const result = await runJudge({
          spec,
          evaluatorVersion: version,
          items,
          store: duckdbRunStore(connection),
          runId,
          datasetVersion,
          concurrency,
          price,
          signal: controller.signal,
          ...(client ? {client} : {}),
          ...(values.model ? {model: values.model} : {}),
          onProgress: (p) =>
            bar.update(
              p.done,
              p.total,
              `calls ${p.calls} errors ${p.errors}${p.costUsd === null ? "" : ` $${p.costUsd.toFixed(4)}`}`
            )
        });
        const cost =
          previous?.costUsd != null || result.costUsd !== null
            ? (previous?.costUsd ?? 0) + (result.costUsd ?? 0)
            : null;
        await saveRun(
          connection,
          {
            ...runRow,
            status: result.interrupted ? "interrupted" : "done",
            calls: (previous?.calls ?? 0) + result.calls,
            errors: result.errors,
            costUsd: cost
          },
          !result.interrupted
        );
        return result;
      });
    } finally {
      bar.done();
      release();
    }
    await afterWorkspaceChange(workspace);
    if (values.json) io.out(JSON.stringify({...summary, evaluator: spec.id, evaluatorVersion: version}, null, 2));
    else printSummary(summary, spec.id, version, io);
    if (summary.interrupted) {
      io.err(`interrupted; continue with: plumbline judge run --evaluator ${values.evaluator} --resume ${runId}`);
      return 130;
    }
    return summary.errors > 0 ? 1 : 0;
  }
};

function printSummary(s: RunSummary, id: string, version: string, io: Io): void {
  io.out(
    [
      `${id} ${version}: run ${s.runId}`,
      `  ${s.total} traces: ${s.fail} fail, ${s.pass} pass, ${s.errors} errors` +
        (s.resumed ? ` (${s.resumed} judged before this resumption)` : ""),
      `  ${s.calls} call${s.calls === 1 ? "" : "s"}, ${s.cached} answer${s.cached === 1 ? "" : "s"} from the cache, ${s.inputTokens} input and ${s.outputTokens} output tokens, cost ${s.calls === 0 ? "nothing (no calls)" : s.costUsd === null ? "unknown (give --price-in and --price-out)" : `$${s.costUsd.toFixed(4)}`}`,
      ...(s.errors
        ? ["  errors are stored with their reason (judge_verdicts.error); rerun with --resume to retry them"]
        : [])
    ].join("\n")
  );
}
