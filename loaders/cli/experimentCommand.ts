/** @module `plumbline experiment run|list|show`: a candidate run on a dataset, recorded case by case. */
import {experimentTotals} from "../../src/core/experiments/caseTrace.js";
import {ExperimentNameSchema, type Experiment} from "../../src/core/schemas/experiment.js";
import {runExperiment, type ExperimentRunSummary} from "../experiments/runner.js";
import {workspaceExperimentStore} from "../experiments/store.js";
import {taskFrom, type TaskChoice} from "../experiments/taskFromOptions.js";
import type {Price} from "../judge/runner.js";
import {withConnection, withReadConnection, workspaceDir} from "../store/db.js";
import {parseDatasetRef, readDatasetCases} from "../store/datasets.js";
import {listExperiments, readExperiment, readExperimentResults, writeExperiment} from "../store/experiments.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import {requireWorkspace} from "./clusterCommand.js";
import type {Command, Io} from "./command.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {onInterrupt} from "./interrupt.js";
import {progressBar} from "./progress.js";

const help = `Usage: plumbline experiment <run | list | show | compare | queue> [options]

An experiment runs a candidate (a task) on every case of one dataset version and records, per case, the output
or the error, tokens, latency and cost, and the case's trace (source experiment:<name>), which evaluators, the
gate and reference checks score like any other trace.

  run --dataset <name[@version]> --name <name> (--task <command> | --task-url <url> | --prompt <file>)
      --task <command>     a command run once per case: the case as JSON on standard input
                           ({"protocol":"plumbline.task/1","case":{"id","input","context","kind","metadata"}}),
                           one JSON answer on standard output ({"output", "messages"?, "tool_calls"?,
                           "metadata"?, "usage"?}). Its environment carries TRACEPARENT and
                           OTEL_RESOURCE_ATTRIBUTES, so spans it exports to Plumbline join the case's trace.
      --task-url <url>     the same JSON POSTed to an endpoint, the answer as the response body
      --prompt <file>      a prompt spec (JSON: id, version, model, temperature, messages with {{input}},
                           {{transcript}}, {{case_id}}, {{kind}}, {{metadata.KEY}}; tools) sent to an
                           OpenAI-compatible endpoint: OPENAI_BASE_URL and OPENAI_API_KEY, or --base-url and
                           --api-key-env; the key is never printed or stored
      --concurrency <n>    cases in flight at once (default 8)
      --timeout <seconds>  per attempt (default 60)
      --max-attempts <n>   attempts per case; failed processes, timeouts, 429 and 5xx are retried with
                           backoff (default 3)
      --max-cost <usd>     start no case once this run's calls cost this much; --resume continues
      --no-cache           run every case (answers are cached by task version and case content otherwise)
      --resume             continue the experiment of that name: run the cases without an ok result
      --model <name>       a prompt spec's model instead of the spec's own
      --price-in <usd>     price per million input tokens, for a prompt spec's cost
      --price-out <usd>    price per million output tokens
      --base-url <url>     the endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)
      --api-key-env <name> the environment variable holding the key (default OPENAI_API_KEY)
      --json               print the summary as JSON
  list [--json]                   every experiment, newest first
  show <name> [--json]            an experiment's task and figures, and every case's output or error
  compare <A> <B> [--json]        B against the baseline A, case by case: pass rates per evaluator, the
                                  paired difference and exact McNemar test, regressed and improved cases
                                  (\`plumbline experiment compare --help\`)
  queue <name> --queue <id>       send the experiment's traces that a trusted evaluator fails to a review
                                  queue (\`plumbline experiment queue --help\`)

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  -h, --help           show this help

Ctrl-C stops a run after the cases in flight are ended; finished cases are kept, and --resume continues.
Exit status of run: 0 when every case has an output, 1 when any ended as an error or was left (budget),
2 on a usage error, 130 when interrupted.`;

function positive(value: string | undefined, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw usageError(`invalid --${name}: ${value}`, "experiment");
  return n;
}

export const command: Command = {
  name: "experiment",
  summary: "run a candidate on a dataset and record its outputs; list and show experiments",
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "run") return run(rest, io);
    if (sub === "list") return list(rest, io);
    if (sub === "show") return show(rest, io);
    if (sub === "compare") return (await import("./experimentCompareCommand.js")).compare(rest, io);
    if (sub === "queue") return (await import("./experimentQueueCommand.js")).queue(rest, io);
    throw usageError(
      sub === undefined ? "name a subcommand: run, list or show" : `unknown subcommand: ${sub}`,
      "experiment"
    );
  }
};

async function run(args: string[], io: Io): Promise<number> {
  const {values} = parseVerbArgs("experiment", {
    args,
    options: {
      dataset: {type: "string"},
      name: {type: "string"},
      task: {type: "string"},
      "task-url": {type: "string"},
      prompt: {type: "string"},
      concurrency: {type: "string"},
      timeout: {type: "string"},
      "max-attempts": {type: "string"},
      "max-cost": {type: "string"},
      "no-cache": {type: "boolean", default: false},
      resume: {type: "boolean", default: false},
      model: {type: "string"},
      "price-in": {type: "string"},
      "price-out": {type: "string"},
      "base-url": {type: "string"},
      "api-key-env": {type: "string"},
      workspace: {type: "string"},
      json: {type: "boolean", default: false}
    }
  });
  if (!values.dataset) throw usageError("name the dataset: --dataset <name[@version]>", "experiment");
  if (!values.name) throw usageError("name the experiment: --name <name>", "experiment");
  const name = ExperimentNameSchema.safeParse(values.name);
  if (!name.success) throw usageError(`invalid --name: ${name.error.issues[0]!.message}`, "experiment");
  const given = [values.task, values["task-url"], values.prompt].filter((v) => v !== undefined).length;
  if (given !== 1) throw usageError("give exactly one of --task, --task-url or --prompt", "experiment");
  const concurrency = positive(values.concurrency, "concurrency", 8);
  const timeoutMs = positive(values.timeout, "timeout", 60, false) * 1000;
  const maxAttempts = positive(values["max-attempts"], "max-attempts", 3);
  const maxCostUsd = values["max-cost"] === undefined ? undefined : positive(values["max-cost"], "max-cost", 0, false);
  let price: Price | null = null;
  if ((values["price-in"] === undefined) !== (values["price-out"] === undefined))
    throw usageError("give both --price-in and --price-out", "experiment");
  if (values["price-in"] !== undefined) {
    const input = Number(values["price-in"]);
    const output = Number(values["price-out"]);
    if (!(input >= 0) || !(output >= 0))
      throw usageError("prices are non-negative numbers (USD per million tokens)", "experiment");
    price = {input, output};
  }
  const keyVar = values["api-key-env"] ?? "OPENAI_API_KEY";
  const choice: TaskChoice =
    values.task !== undefined
      ? {kind: "command", command: values.task}
      : values["task-url"] !== undefined
        ? {kind: "http", url: values["task-url"]}
        : {
            kind: "prompt",
            path: values.prompt!,
            ...(values.model ? {model: values.model} : {}),
            baseURL: values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
            apiKey: io.env[keyVar],
            keyVar
          };
  const task = taskFrom(choice, {env: io.env, cwd: process.cwd(), timeoutMs, price});

  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);
  const ref = parseDatasetRef(values.dataset);
  const {dataset, previous} = await withConnection(workspace, async (c) => ({
    dataset: await readDatasetCases(c, ref.name, ref.version),
    previous: await readExperiment(c, name.data)
  }));
  if (previous && !values.resume)
    throw new CliError(
      `the workspace has an experiment named ${name.data}; continue it with --resume, or choose another --name`
    );
  if (!previous && values.resume) throw new CliError(`no experiment named ${name.data} to resume; drop --resume`);
  if (previous) {
    if (previous.dataset !== dataset.name || previous.datasetVersion !== dataset.version)
      throw new CliError(
        `experiment ${name.data} ran on ${previous.dataset}@${previous.datasetVersion}, not ${dataset.name}@${dataset.version}; resume with --dataset ${previous.dataset}@${previous.datasetVersion}`
      );
    if (previous.task.version !== task.description.version)
      throw new CliError(
        `experiment ${name.data} ran a different task (${previous.task.kind} ${previous.task.target}); resume it with the same task, or choose another --name`
      );
  }
  if (dataset.cases.length === 0) throw new CliError(`dataset ${dataset.name}@${dataset.version} has no cases`);

  const experiment: Experiment = {
    format: 1,
    name: name.data,
    dataset: dataset.name,
    datasetVersion: dataset.version,
    task: task.description,
    status: "running",
    startedAt: previous?.startedAt ?? new Date().toISOString(),
    finishedAt: null,
    total: dataset.cases.length,
    done: previous?.done ?? 0,
    errors: previous?.errors ?? 0,
    cached: previous?.cached ?? 0,
    inputTokens: previous?.inputTokens ?? null,
    outputTokens: previous?.outputTokens ?? null,
    costUsd: previous?.costUsd ?? null
  };
  await withConnection(workspace, (c) => writeExperiment(c, experiment));

  const controller = new AbortController();
  const release = onInterrupt({
    stop: () => {
      io.err("stopping: ending the cases in flight; finished cases are kept");
      controller.abort();
    },
    again: () => io.err("already stopping: the finished cases are being recorded")
  });
  const bar = progressBar("experiment", process.stderr, "items");
  let summary: ExperimentRunSummary;
  try {
    summary = await runExperiment({
      experiment: name.data,
      cases: dataset.cases,
      task,
      store: workspaceExperimentStore(workspace),
      concurrency,
      timeoutMs,
      retry: {maxAttempts},
      ...(maxCostUsd === undefined ? {} : {maxCostUsd}),
      useCache: !values["no-cache"],
      signal: controller.signal,
      onProgress: (p) => bar.update(p.done, p.total, `errors ${p.errors} cached ${p.cached} $${p.costUsd.toFixed(4)}`)
    });
  } finally {
    bar.done();
    release();
  }
  const recorded = await withConnection(workspace, async (c) => {
    const totals = experimentTotals(await readExperimentResults(c, name.data));
    const complete = totals.done === experiment.total;
    const final: Experiment = {
      ...experiment,
      ...totals,
      status: complete ? "finished" : "interrupted",
      finishedAt: complete ? new Date().toISOString() : null
    };
    await writeExperiment(c, final);
    return final;
  });
  await afterWorkspaceChange(workspace);
  if (values.json) io.out(JSON.stringify({experiment: recorded, run: summary}, null, 2));
  else printRun(recorded, summary, io);
  if (summary.interrupted || summary.left > 0) {
    io.err(
      `${summary.interrupted ? "interrupted" : "the budget is spent"}; continue with: plumbline experiment run --dataset ${values.dataset} --name ${name.data} ${taskArgs(choice)} --resume`
    );
    if (summary.interrupted) return 130;
  }
  return recorded.errors > 0 || summary.left > 0 ? 1 : 0;
}

function taskArgs(choice: TaskChoice): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  if (choice.kind === "command") return `--task ${quote(choice.command)}`;
  if (choice.kind === "http") return `--task-url ${quote(choice.url)}`;
  return `--prompt ${quote(choice.path)}${choice.model ? ` --model ${quote(choice.model)}` : ""}`;
}

const money = (usd: number | null) => (usd === null ? "unknown" : `$${usd.toFixed(4)}`);

function printRun(e: Experiment, s: ExperimentRunSummary, io: Io): void {
  io.out(
    [
      `experiment ${e.name}: ${e.task.kind} ${e.task.target} on ${e.dataset}@${e.datasetVersion}`,
      `  ${e.total} cases: ${e.done - e.errors} with an output, ${e.errors} errors, ${e.total - e.done} without a result` +
        (s.resumed ? ` (${s.resumed} finished before this resumption)` : ""),
      `  this run: ${s.ran} cases run, ${s.cached} from the cache, ${s.inputTokens} input and ${s.outputTokens} output tokens, cost ${money(s.costUsd)}${s.unknownCost ? ` (${s.unknownCost} of unknown cost)` : ""}`,
      ...(s.budgetSpent ? [`  the budget (--max-cost) was spent with ${s.left} cases left`] : []),
      ...(e.errors
        ? [`  errors are kept with their reason (plumbline experiment show ${e.name}); --resume runs them again`]
        : []),
      `  the cases' traces are in the workspace with source experiment:${e.name}`
    ].join("\n")
  );
}

async function list(args: string[], io: Io): Promise<number> {
  const {values} = parseVerbArgs("experiment", {
    args,
    options: {workspace: {type: "string"}, json: {type: "boolean", default: false}}
  });
  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);
  const experiments = await withReadConnection(workspace, listExperiments);
  if (values.json) {
    io.out(JSON.stringify(experiments, null, 2));
    return 0;
  }
  if (!experiments.length) {
    io.out(
      "no experiments yet; run one with `plumbline experiment run --dataset <name> --name <name> --task <command>`"
    );
    return 0;
  }
  const width = Math.max(4, ...experiments.map((e) => e.name.length));
  io.out(`${"name".padEnd(width)}  status       cases     errors  cost        dataset                 task`);
  for (const e of experiments)
    io.out(
      `${e.name.padEnd(width)}  ${e.status.padEnd(11)}  ${`${e.done}/${e.total}`.padEnd(8)}  ${String(e.errors).padEnd(6)}  ${money(e.costUsd).padEnd(10)}  ${`${e.dataset}@${e.datasetVersion}`.padEnd(22)}  ${e.task.kind} ${e.task.target}`
    );
  return 0;
}

async function show(args: string[], io: Io): Promise<number> {
  const {values, positionals} = parseVerbArgs("experiment", {
    args,
    allowPositionals: true,
    options: {workspace: {type: "string"}, json: {type: "boolean", default: false}}
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) throw usageError("name one experiment: show <name>", "experiment");
  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);
  const {experiment, results} = await withReadConnection(workspace, async (c) => ({
    experiment: await readExperiment(c, name),
    results: await readExperimentResults(c, name)
  }));
  if (!experiment) throw new CliError(`no experiment named ${name}; \`plumbline experiment list\` shows them`);
  if (values.json) {
    io.out(JSON.stringify({experiment, results}, null, 2));
    return 0;
  }
  const t = experiment.task;
  io.out(
    [
      `experiment ${experiment.name} (${experiment.status})`,
      `  dataset  ${experiment.dataset}@${experiment.datasetVersion}, ${experiment.total} cases`,
      `  task     ${t.kind} ${t.target} (version ${t.version}${t.promptId ? `, prompt ${t.promptId} v${t.promptVersion}` : ""}${t.model ? `, model ${t.model}` : ""})`,
      ...(t.gitCommit ? [`  commit   ${t.gitCommit}`] : []),
      `  ran      ${experiment.startedAt} to ${experiment.finishedAt ?? "(not finished)"}`,
      `  results  ${experiment.done - experiment.errors} outputs, ${experiment.errors} errors, ${experiment.cached} from the cache; ${experiment.inputTokens ?? "?"} input and ${experiment.outputTokens ?? "?"} output tokens; cost ${money(experiment.costUsd)}`,
      ""
    ].join("\n")
  );
  const width = Math.max(4, ...results.map((r) => r.caseId.length));
  io.out(`${"case".padEnd(width)}  status  latency    cost        output or error`);
  for (const r of results) {
    const text = (r.status === "ok" ? r.output! : `error: ${r.error}`).replace(/\s+/g, " ");
    io.out(
      `${r.caseId.padEnd(width)}  ${r.status.padEnd(6)}  ${(r.latencyMs === null ? "?" : `${Math.round(r.latencyMs)} ms`).padEnd(9)}  ${money(r.costUsd).padEnd(10)}  ${text.length > 100 ? `${text.slice(0, 99)}…` : text}`
    );
  }
  return 0;
}
