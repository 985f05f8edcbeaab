/**
 * @module `plumbline experiment queue NAME --queue Q`: an experiment's traces that a trusted evaluator fails, sent to
 * a review queue, where they appear on the Annotate page. A verb of its own rather than a flag on `compare` or
 * `gate`: those read and decide, and a gate run in CI should not write review queues as a side effect.
 */
import {createJudgeClient, type JudgeClient} from "../judge/judgeClient.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {queueFailingTraces} from "../experiments/queueFailures.js";
import {loadSuite} from "../gate/suite.js";
import {withConnection, workspaceDir} from "../store/db.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import {requireWorkspace} from "./clusterCommand.js";
import type {Io} from "./command.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {TRUST_HELP, TRUST_OPTIONS, trustPolicyOf} from "./trustOption.js";

export const queueHelp = `Usage: plumbline experiment queue <name> --queue <id> [options]

Sends the experiment's traces that a trusted evaluator of the suite fails to a review queue, where they appear
on the Annotate page like any queue's traces. An evaluator is trusted when its calibration lets it block a
gate under the trust policy; the others are named and left out. A queue never holds a trace twice, so running
it again adds only traces the queue does not hold yet.

Options:
  --queue <id>            the review queue (created when it does not exist; then --annotators is needed)
  --evaluator <id>        only this evaluator's fails (it must be trusted)
  --share <0..1>          the share of failing traces to queue, chosen by a hash of trace and experiment
                          (default 1: all of them)
  --annotators <a,b,…>    who reviews the queue (added to an existing queue's reviewers)
  --criterion <id>        the rubric criterion a review labels, for a new queue (default overall)
  --suite <folder>        the evaluator specs (default: the evaluators/ folder)
${TRUST_HELP}
  --base-url <url>        the judge endpoint, when a trusted evaluator is an LLM judge (default: $OPENAI_BASE_URL)
  --api-key-env <name>    the environment variable holding the key (default OPENAI_API_KEY)
  --workspace <dir>       the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --json                  print what was queued as JSON
  -h, --help              show this help

Exit status: 0, or 2 on a usage error, an unknown experiment or no trusted evaluator.`;

export async function queue(args: string[], io: Io): Promise<number> {
  const {values, positionals} = parseVerbArgs("experiment", {
    args,
    allowPositionals: true,
    options: {
      queue: {type: "string"},
      evaluator: {type: "string"},
      share: {type: "string"},
      annotators: {type: "string"},
      criterion: {type: "string"},
      suite: {type: "string"},
      ...TRUST_OPTIONS,
      "base-url": {type: "string"},
      "api-key-env": {type: "string"},
      workspace: {type: "string"},
      json: {type: "boolean", default: false},
      help: {type: "boolean", short: "h", default: false}
    }
  });
  if (values.help) {
    io.out(queueHelp);
    return 0;
  }
  if (positionals.length !== 1) throw usageError("name one experiment: queue <name> --queue <id>", "experiment");
  if (!values.queue) throw usageError("name the review queue: --queue <id>", "experiment");
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(values.queue))
    throw usageError(`invalid --queue: ${values.queue} (lower-case letters, digits, - and _)`, "experiment");
  const share = values.share === undefined ? 1 : Number(values.share);
  if (!(share > 0 && share <= 1))
    throw usageError(`invalid --share: ${values.share} (above 0, at most 1)`, "experiment");
  const trust = trustPolicyOf(values.trust, values["min-per-class"], "experiment");
  const annotators = (values.annotators ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const suite = loadSuite(values.suite ?? EVALUATORS_DIR);
  if (suite.problems.length) throw new CliError(`the suite cannot be read:\n  ${suite.problems.join("\n  ")}`, 2);
  const keyVar = values["api-key-env"] ?? "OPENAI_API_KEY";
  let client: JudgeClient | undefined;
  if (io.env[keyVar])
    client = createJudgeClient({
      baseURL: values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
      apiKey: io.env[keyVar]!
    });
  const workspace = values.workspace ?? workspaceDir(io.env);
  requireWorkspace(workspace);
  const [name] = positionals as [string];
  let outcome;
  try {
    outcome = await withConnection(workspace, (connection) =>
      queueFailingTraces(
        workspace,
        connection,
        {
          experiment: name,
          queue: values.queue!,
          suite,
          trust,
          ...(values.evaluator ? {evaluator: values.evaluator} : {}),
          share,
          annotators,
          ...(values.criterion ? {criterion: values.criterion} : {}),
          ...(client ? {client} : {})
        },
        Date.now()
      )
    );
  } catch (error) {
    if (error instanceof CliError || !(error instanceof Error) || !("exitCode" in error)) throw error;
    throw new CliError(error.message, 2);
  }
  await afterWorkspaceChange(workspace);
  if (values.json) {
    io.out(JSON.stringify({...outcome, queue: outcome.queue.id, queued: outcome.queue.items.length}, null, 2));
    return 0;
  }
  io.out(
    [
      `${name}: ${outcome.failing} traces fail a trusted evaluator (${outcome.evaluators.map((e) => `${e.id} ${e.failing.length}`).join(", ")})` +
        (share < 1 ? `, ${outcome.inShare} of them in the share ${share}` : ""),
      `added ${outcome.added.length} to queue ${outcome.queue.id} (${outcome.queue.items.length} in all); review them on the Annotate page (\`plumbline start\`, /annotate?queue=${outcome.queue.id})`,
      ...outcome.untrusted.map((u) => `  left out ${u.id}: ${u.reason}`)
    ].join("\n")
  );
  return 0;
}
