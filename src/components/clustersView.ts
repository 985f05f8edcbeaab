/**
 * @module The Clusters page: the semantic map, brushed and linked to the trace list; the cluster table in review
 * order with drill-down and promotion; and the failure-mode registry.
 */
import type {ClusterPageData, ClusterSummaryRow} from "../core/clusters/pageData.js";
import {clusterMap} from "./clusterMap.js";
import {clusterTable} from "./clusterTable.js";
import {clusterTraceList} from "./clusterTraces.js";
import {el} from "./dom.js";
import {failureModeRegistry, type GateFinding} from "./failureModeTable.js";
import {count} from "./format.js";

export function clustersView(
  data: ClusterPageData,
  width = 640,
  findings: ReadonlyMap<string, GateFinding> = new Map()
): {map: HTMLElement; list: HTMLElement; table: HTMLElement; modes: HTMLElement} {
  const byId = new Map(data.clusters.map((c) => [c.id, c]));
  const semanticLabels = new Map(
    data.clusters.filter((c) => c.kind === "semantic").map((c) => [c.id, `S${Number(c.id.replace(/^sem-/, "")) + 1}`])
  );
  const traces = clusterTraceList(byId);
  const all = data.points.filter((p) => p.semanticId !== null);
  const showAll = () => traces.show(all, `All ${count(all.length)} traces on the map`);
  showAll();
  const map = clusterMap(
    data.points,
    semanticLabels,
    (selected) => {
      map.highlight(null);
      if (selected === null) showAll();
      else traces.show(selected, `${count(selected.length)} traces in the brushed area`);
    },
    width,
    undefined,
    new Map(data.clusters.filter((c) => c.kind === "semantic").map((c) => [c.id, c.terms]))
  );
  const show = (cluster: ClusterSummaryRow) => {
    const members = data.points.filter((p) => p.semanticId === cluster.id || p.signatureId === cluster.id);
    // Representatives first: the traces nearest the cluster's centre, or its most recent for a signature.
    const rank = (id: string) =>
      cluster.representatives.includes(id) ? cluster.representatives.indexOf(id) : Infinity;
    members.sort((a, b) => rank(a.traceId) - rank(b.traceId) || (a.traceId < b.traceId ? -1 : 1));
    // Large signature clusters ship only their most recent traces; say so rather than miscount.
    const listed = members.length < cluster.size ? ` (${count(members.length)} listed)` : "";
    traces.show(
      members,
      `${semanticLabels.get(cluster.id) ?? "Signature"} · ${count(cluster.size)} traces${listed}, representatives first: ${cluster.name}`
    );
    map.highlight(new Set(members.map((p) => p.traceId)));
    traces.node.scrollIntoView({block: "nearest"});
  };
  const modes = failureModeRegistry(data.failureModes, findings);
  return {
    map: map.node,
    list: traces.node,
    table: clusterTable(data.clusters, show, semanticLabels, (mode) => modes.add(mode)),
    modes: modes.node
  };
}

export function runNote(data: ClusterPageData): HTMLElement {
  if (!data.run)
    return el(
      "p",
      {class: "pl-muted"},
      "No clusters yet. Run `plumbline cluster` (the demo workspace has them already)."
    );
  const signatures = data.clusters.filter((c) => c.kind === "signature").length;
  const semantic = data.clusters.filter((c) => c.kind === "semantic").length;
  return el(
    "p",
    {class: "pl-muted"},
    `${count(signatures)} signature clusters and ${count(semantic)} semantic clusters of ${count(data.points.length)} flagged traces, ` +
      `last clustered ${new Date(data.run.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC (${data.run.method}).`
  );
}
