/** @module The list of clustered traces under the map: what the brush or a cluster selects, each linking to the explorer. */
import type {ClusterPoint, ClusterSummaryRow} from "../core/clusters/pageData.js";
import {pageHref} from "./pageLink.js";
import {el, replace} from "./dom.js";
import {count} from "./format.js";

const LIMIT = 200;

export interface TraceListView {
  node: HTMLElement;
  show(points: readonly ClusterPoint[], title: string): void;
}

export function clusterTraceList(clusters: ReadonlyMap<string, ClusterSummaryRow>): TraceListView {
  const title = el("div", {class: "pl-label pl-list-title"});
  const list = el("ol", {class: "pl-trace-list"});
  const more = el("div", {class: "pl-muted"});
  const show = (points: readonly ClusterPoint[], heading: string) => {
    replace(title, heading);
    replace(
      list,
      ...points.slice(0, LIMIT).map((p) => {
        const signature = p.signatureId ? clusters.get(p.signatureId)?.name : null;
        return el(
          "li",
          {attrs: {"data-trace": p.traceId}},
          el(
            "a",
            {attrs: {href: pageHref("traces", `#trace=${encodeURIComponent(p.traceId)}`)}, class: "pl-mono"},
            p.traceId
          ),
          " ",
          el("span", {class: `pl-badge ${p.status === "error" ? "pl-bad" : ""}`}, p.status),
          " ",
          signature ? el("span", {class: "pl-muted"}, signature) : null,
          p.preview ? el("div", {class: "pl-ellipsis"}, p.preview) : null
        );
      })
    );
    replace(more, points.length > LIMIT ? `… and ${count(points.length - LIMIT)} more` : "");
  };
  return {node: el("div", {class: "pl-traces-panel"}, title, list, more), show};
}
