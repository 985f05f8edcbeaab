/** @module The failure-mode registry on the Clusters page: state, trend flags, volume, links, and moves. */
import {setStateCommand, type ClusterSummaryRow, type FailureModeSummary} from "../core/clusters/pageData.js";
import {tryApi} from "./api.js";
import {cell, el, replace, table} from "./dom.js";
import {count, timestamp} from "./format.js";

const day = (ms: number | null) => timestamp(ms).slice(0, 10);

function moveControl(mode: FailureModeSummary): HTMLElement {
  const select = el(
    "select",
    {attrs: {"aria-label": `Move ${mode.name} to`}},
    el("option", {attrs: {value: ""}}, "move to…"),
    ...mode.allowedMoves.map((state) => el("option", {attrs: {value: state}}, state.replace(/_/g, " ")))
  );
  const command = el("code", {class: "pl-command"});
  const status = el("span", {class: "pl-muted"});
  select.addEventListener("change", async () => {
    if (!select.value) return;
    replace(command, setStateCommand(mode.name, select.value));
    const result = await tryApi("api/failure-modes/state", {name: mode.name, state: select.value});
    replace(status, result.ok ? " Moved. Reload to see it." : ` ${result.message}`);
  });
  return el("div", null, select, " ", command, status);
}

/** What the latest gate run found about a mode, shown beside its state; a proposal waits for a person. */
export interface GateFinding {
  kind: "still-failing" | "regressed" | "proposed-resolved" | "passing";
  runId?: string;
}

const FINDING: Record<GateFinding["kind"], string> = {
  "still-failing": "gate: still failing",
  regressed: "gate: regressed",
  "proposed-resolved": "gate: passes, confirm verified resolved",
  passing: "gate: passing"
};

export function failureModeTable(
  modes: readonly FailureModeSummary[],
  findings: ReadonlyMap<string, GateFinding> = new Map()
): HTMLElement {
  if (modes.length === 0) {
    return el(
      "p",
      {class: "pl-muted"},
      "No failure modes yet. Promote a cluster above, or annotate traces with a failure-mode name."
    );
  }
  return table(
    {class: "pl-modes"},
    [
      "Failure mode",
      "State",
      "Trend",
      "Traces",
      "Sessions",
      "First seen",
      "Last seen",
      "Labels",
      "Worst severity",
      "Evaluators",
      ""
    ],
    modes.map((mode) => ({
      props: {attrs: {"data-mode": mode.name}},
      cells: [
        cell(
          null,
          el("strong", null, mode.name),
          mode.description ? el("div", {class: "pl-muted"}, mode.description) : null,
          mode.registered ? null : el("div", {class: "pl-muted"}, "named in annotations, not promoted yet")
        ),
        cell(
          null,
          el("span", {class: "pl-badge"}, mode.state.replace(/_/g, " ")),
          findings.has(mode.name)
            ? el("div", {class: "pl-chip pl-gate-finding"}, FINDING[findings.get(mode.name)!.kind])
            : null
        ),
        cell(
          null,
          ...mode.trends.map((flag) => el("span", {class: `pl-chip pl-trend-${flag}`}, flag)),
          // Its traces have no times of their own: no trend can be read, and none is claimed.
          mode.firstSeen === null && mode.traces > 0
            ? el("span", {class: "pl-chip pl-muted", title: "its traces have no start time"}, "undated")
            : null,
          mode.pruneCandidate ? el("span", {class: "pl-chip"}, "prune?") : null
        ),
        cell({class: "pl-num"}, count(mode.traces)),
        cell({class: "pl-num"}, count(mode.sessions)),
        day(mode.firstSeen),
        day(mode.lastSeen),
        cell({class: "pl-num"}, count(mode.annotationCount)),
        cell(
          {class: "pl-mode-severity"},
          mode.severity?.worst
            ? `${mode.severity.worst}${mode.severity.common !== mode.severity.worst ? ` (mostly ${mode.severity.common})` : ""}`
            : "—"
        ),
        mode.evaluatorIds.join(", ") || "—",
        moveControl(mode)
      ]
    }))
  );
}

/** Registry input that was skipped (a torn event line, an evaluator spec without a failure mode), as text. */
export function problemList(problems: readonly string[]): HTMLElement {
  return el("ul", {class: "pl-problems"}, ...problems.map((problem) => el("li", {class: "pl-bad-text"}, problem)));
}

/** The registry table, to which a mode promoted on this page is added in place. */
export function failureModeRegistry(
  modes: readonly FailureModeSummary[],
  findings: ReadonlyMap<string, GateFinding> = new Map()
): {
  node: HTMLElement;
  add(mode: {name: string; description: string | null; cluster: ClusterSummaryRow}): void;
} {
  let current = modes.slice();
  const node = el("div", {class: "pl-registry"}, failureModeTable(current, findings));
  return {
    node,
    add({name, description, cluster}) {
      // What the server records for a promotion: a new mode linked to the cluster, its traces counted from it.
      const mode: FailureModeSummary = {
        name,
        description,
        registered: true,
        state: "new",
        // The moves come from the registry's lifecycle, whose module brings zod (which probes for eval, against the
        // page's policy): the next load lists them.
        allowedMoves: [],
        firstSeen: cluster.firstSeen,
        lastSeen: cluster.lastSeen,
        traces: cluster.size,
        sessions: cluster.sessions,
        clusterIds: [cluster.id],
        annotationCount: 0,
        evaluatorIds: [],
        trends: [],
        pruneCandidate: false
      };
      current = [mode, ...current.filter((m) => m.name !== name)];
      replace(node, failureModeTable(current, findings));
    }
  };
}
