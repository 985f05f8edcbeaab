/** @module `plumbline online run`: online evaluators and automation rules over the traces as they arrive. */
import {resolve} from "node:path";
import {workspaceDir} from "../store/db.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {onlineClient} from "../online/client.js";
import {anyOnline, onlineTurn, runOnlineLoop, turnLine} from "../online/loop.js";
import {DEFAULT_INTERVAL_SECONDS} from "../online/background.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {parseDuration} from "./duration.js";
import type {Command} from "./command.js";
import {onInterrupt} from "./interrupt.js";

const help = `Usage: plumbline online run [options]

Evaluates traces as they arrive. Every interval, each spec in evaluators/ with an "online" block judges the
traces that are complete (no new span for its quietSeconds), not yet judged by this evaluator version and in
its sample (a share chosen by a hash of trace and evaluator id, the same on every pass). Rules judge every such
trace; LLM judges and hybrids call the endpoint within the spec's budget (calls per hour and per day): once it
is spent, calls stop, the pass says so and the remaining traces wait, with no verdict. Verdicts are stored in
judge_verdicts under a run id per pass (online-…), as \`plumbline judge run\` stores them.

Then the workspace's automation rules (<workspace>/automation.json) enqueue traces for review: a failing verdict
from a trusted evaluator, thumbs-down feedback, or a score below a threshold. A trace enters a queue once.

\`plumbline start\` runs the same loop in the background when any spec asks to run online.

Options:
  --once                  one pass, then exit
  --interval <seconds>    time between passes (default ${DEFAULT_INTERVAL_SECONDS})
  --quiet-period <duration>
                          how long a trace (a thread, for thread-scoped rules) must go without a span to be
                          judged, e.g. 30s or 2m, for every spec in place of its quietSeconds
  --evaluators <dir>      the spec folder (default: evaluators/)
  --concurrency <n>       judge calls in flight at once (default 4)
  --base-url <url>        the endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)
  --api-key-env <name>    the environment variable holding the key (default OPENAI_API_KEY)
  --price-in <usd>        price per million input tokens, to record cost
  --price-out <usd>       price per million output tokens
  --workspace <dir>       the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  -h, --help              show this help

Ctrl-C stops after the calls in flight; their verdicts are stored. Exit status: 0, 1 when a --once pass stored
an error, 2 on a usage error.`;

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`invalid --${name}: ${value}`, "online");
  return n;
}

export const command: Command = {
  name: "online",
  summary: "run online evaluators and automation rules as traces arrive",
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "run")
      throw usageError(sub === undefined ? "name a subcommand: run" : `unknown subcommand: ${sub}`, "online");
    const {values} = parseVerbArgs("online", {
      args: rest,
      options: {
        once: {type: "boolean", default: false},
        interval: {type: "string"},
        "quiet-period": {type: "string"},
        evaluators: {type: "string"},
        concurrency: {type: "string"},
        "base-url": {type: "string"},
        "api-key-env": {type: "string"},
        "price-in": {type: "string"},
        "price-out": {type: "string"},
        workspace: {type: "string"}
      }
    });
    const intervalMs = positive(values.interval, "interval", DEFAULT_INTERVAL_SECONDS) * 1000;
    const concurrency = Math.floor(positive(values.concurrency, "concurrency", 4));
    const quietMs = values["quiet-period"] === undefined ? undefined : parseDuration(values["quiet-period"]);
    if (quietMs === null)
      throw usageError(
        `invalid --quiet-period: ${values["quiet-period"]} (a duration such as 30s, 2m or 500ms)`,
        "online"
      );
    if ((values["price-in"] === undefined) !== (values["price-out"] === undefined))
      throw usageError("give both --price-in and --price-out", "online");
    const price =
      values["price-in"] === undefined
        ? null
        : {input: Number(values["price-in"]), output: Number(values["price-out"])};
    if (price && !(price.input >= 0 && price.output >= 0))
      throw usageError("prices are non-negative numbers (USD per million tokens)", "online");
    const dir = values.evaluators ? resolve(values.evaluators) : EVALUATORS_DIR;
    if (!anyOnline(dir))
      throw new CliError(
        `no spec in ${dir} asks to run online; add an "online" block to one, e.g. "online": {"sample": 0.1, "quietSeconds": 60}`
      );
    const workspace = values.workspace ?? workspaceDir(io.env);
    const {client, noClient} = onlineClient(io.env, {
      ...(values["base-url"] ? {baseURL: values["base-url"]} : {}),
      ...(values["api-key-env"] ? {apiKeyEnv: values["api-key-env"]} : {})
    });
    const options = {
      workspace,
      evaluatorsDir: dir,
      client,
      ...(noClient ? {noClient} : {}),
      price,
      concurrency,
      ...(quietMs !== undefined ? {quietMs} : {})
    };
    const controller = new AbortController();
    const release = onInterrupt({
      stop: () => {
        io.err("stopping: finishing the calls in flight and storing their verdicts");
        controller.abort();
      },
      again: () => io.err("already stopping: the verdicts of the calls in flight are being stored")
    });
    try {
      if (values.once) {
        const report = await onlineTurn({...options, signal: controller.signal});
        for (const problem of report.problems) io.err(`online: left out: ${problem}`);
        io.out(turnLine(report));
        return report.passes.some((p) => p.errors > 0) ? 1 : 0;
      }
      io.err(`online: watching ${workspace} every ${intervalMs / 1000} s; Ctrl-C stops`);
      await runOnlineLoop({...options, intervalMs, signal: controller.signal, log: (line) => io.err(line)});
      return 0;
    } finally {
      release();
    }
  }
};
