/** @module `plumbline failure-mode list|promote|set-state`: the failure-mode registry from the command line. */
import {FAILURE_MODE_STATES, FailureModeStateSchema} from "../../src/core/schemas/failureMode.js";
import {DEFAULT_TRENDS, type TrendThresholds} from "../../src/core/failureModes/trends.js";
import {listModes, promote, setState, type ActionOptions} from "../failureModes/actions.js";
import type {FailureModeView} from "../failureModes/registry.js";
import {workspaceDir} from "../store/db.js";
import {parseVerbArgs, usageError} from "./error.js";
import type {Command, Io} from "./command.js";
import {requireWorkspace} from "./clusterCommand.js";

const help = `Usage: plumbline failure-mode <list | promote | set-state> [options]

The registry of failure modes and their lifecycle:
  new → triaged → annotated → has_evaluator → fix_shipped → verified_resolved, or regressed

  list                          every mode with its state, traces and sessions affected, first and last seen,
                                trend flags (new, escalating, quiet, regressed) and pruning proposals; names
                                annotators used that nobody has promoted are listed as new
  promote --name <name>         register a failure mode, from a cluster with --cluster <id> (ids are on the
          [--cluster <id>]      Clusters page and in the clusters table); promoting an existing name links
          [--description <t>]   one more cluster to it
  set-state <name> <state>      move a mode to another state: ${FAILURE_MODE_STATES.join(", ")}
          [--note <text>]

A mode counts as annotated once human labels name it, and has_evaluator once an evaluator in evaluators/
targets it. A resolved mode whose traces are seen again is regressed.

Options:
  --workspace <dir>     the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --now <ISO time>      judge trends as of this time (default: now)
  --new-days <n>        a mode first seen under n days ago is new (default: ${DEFAULT_TRENDS.newDays})
  --quiet-days <n>      a mode unseen for n days is quiet (default: ${DEFAULT_TRENDS.quietDays})
  --prune-days <n>      a mode unseen for n days is proposed for pruning (default: ${DEFAULT_TRENDS.pruneDays})
  --escalation <ratio>  the last day must exceed the 7-day daily average by this ratio (default: 1.333)
  --json                print JSON
  -h, --help            show this help

Every change is appended to <workspace>/failure-modes.jsonl and mirrored into the failure_modes table.`;

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`invalid --${name}: ${value}`, "failure-mode");
  return n;
}

const day = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString().slice(0, 10));

function describe(mode: FailureModeView): string {
  const flags = [...mode.trends, ...(mode.pruneCandidate ? ["prune?"] : [])];
  return [
    `${mode.name}  [${mode.state}]${flags.length ? `  ${flags.join(", ")}` : ""}${mode.registered ? "" : "  (from labels, not promoted)"}`,
    `  ${mode.traces} traces, ${mode.sessions} sessions; first seen ${day(mode.firstSeen)}, last seen ${day(mode.lastSeen)}`,
    `  clusters: ${mode.clusterIds.join(", ") || "none"}; annotations: ${mode.annotationCount}; evaluators: ${mode.evaluatorIds.join(", ") || "none"}`,
    ...(mode.description ? [`  ${mode.description}`] : [])
  ].join("\n");
}

export const command: Command = {
  name: "failure-mode",
  summary: "list, promote and move failure modes through their lifecycle",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("failure-mode", {
      args,
      allowPositionals: true,
      options: {
        name: {type: "string"},
        cluster: {type: "string"},
        description: {type: "string"},
        note: {type: "string"},
        workspace: {type: "string"},
        now: {type: "string"},
        "new-days": {type: "string"},
        "quiet-days": {type: "string"},
        "prune-days": {type: "string"},
        escalation: {type: "string"},
        json: {type: "boolean", default: false}
      }
    });
    const [action, ...rest] = positionals;
    const now = values.now === undefined ? Date.now() : Date.parse(values.now);
    if (!Number.isFinite(now))
      throw usageError(`invalid --now: ${values.now} (an ISO time such as 2026-03-01T12:00:00Z)`, "failure-mode");
    const thresholds: TrendThresholds = {
      ...DEFAULT_TRENDS,
      newDays: number(values["new-days"], "new-days", DEFAULT_TRENDS.newDays),
      quietDays: number(values["quiet-days"], "quiet-days", DEFAULT_TRENDS.quietDays),
      pruneDays: number(values["prune-days"], "prune-days", DEFAULT_TRENDS.pruneDays),
      escalationRatio: number(values.escalation, "escalation", DEFAULT_TRENDS.escalationRatio)
    };
    const options: ActionOptions = {workspace: values.workspace ?? workspaceDir(io.env), now, thresholds};
    if (action === "list" || action === "promote" || action === "set-state") requireWorkspace(options.workspace);
    if (action === "list") return list(options, values.json, io);
    if (action === "promote") {
      if (!values.name) throw usageError("promote needs --name <name>", "failure-mode");
      const mode = await promote(options, {
        name: values.name,
        description: values.description ?? null,
        clusterId: values.cluster ?? null
      });
      io.out(values.json ? JSON.stringify(mode, null, 2) : `promoted\n${describe(mode)}`);
      return 0;
    }
    if (action === "set-state") {
      const [name, state] = rest;
      if (!name || !state) throw usageError("set-state needs <name> <state>", "failure-mode");
      const parsed = FailureModeStateSchema.safeParse(state);
      if (!parsed.success)
        throw usageError(`invalid state: ${state} (one of ${FAILURE_MODE_STATES.join(", ")})`, "failure-mode");
      const mode = await setState(options, {name, state: parsed.data, note: values.note ?? null});
      io.out(values.json ? JSON.stringify(mode, null, 2) : describe(mode));
      return 0;
    }
    throw usageError(
      action ? `unknown action: ${action} (list, promote or set-state)` : "name an action: list, promote or set-state",
      "failure-mode"
    );
  }
};

async function list(options: ActionOptions, json: boolean, io: Io): Promise<number> {
  const {modes, problems} = await listModes(options);
  for (const problem of problems) io.err(problem);
  if (json) io.out(JSON.stringify({modes, problems}, null, 2));
  else if (modes.length === 0)
    io.out(
      "no failure modes yet: promote a cluster with `plumbline failure-mode promote --name <name> --cluster <id>`"
    );
  else io.out(modes.map(describe).join("\n\n"));
  return 0;
}
