/**
 * @module The cluster table, in review order (volume × severity), with a volume sparkline per cluster, a button
 * that shows a cluster's traces and a form that promotes it to a failure mode. Cluster names come from trace
 * text (error messages, user words) and are rendered as text.
 */
import {byPriority, promoteCommand, type ClusterSummaryRow} from "../core/clusters/pageData.js";
import {FALLBACK_FIELDS, type SignatureField, type SignatureFieldValue} from "../core/clusters/signature.js";
import {cell, el, replace, table, tableRow} from "./dom.js";
import {count, shorten} from "./format.js";
import {tryApi} from "./api.js";

const SVG = "http://www.w3.org/2000/svg";

const NAME_CHARS = 90;

/**
 * A cluster's volume: bars of its dated traces per day, and a word for the undated ones, which no day can hold (a
 * dataset without times would otherwise show as one bar on the day it was ingested).
 */
function volume(cluster: ClusterSummaryRow): HTMLElement {
  const dated = cluster.daily.reduce((sum, n) => sum + n, 0);
  return el(
    "div",
    {class: "pl-volume"},
    dated ? sparkline(cluster.daily) : null,
    cluster.undated
      ? el(
          "span",
          {class: "pl-muted pl-undated", title: "traces with no start time of their own"},
          dated ? `+${count(cluster.undated)} undated` : "undated"
        )
      : null,
    !dated && !cluster.undated ? el("span", {class: "pl-muted"}, "none in these 30 days") : null
  );
}

/** How a chip names each field of a signature; the kinds of miss a signature falls back on say so. */
const FIELD_NAMES: Record<SignatureField, string> = {
  "failing tool": "tool",
  "failing step": "step",
  "normalised error": "error",
  "retrieval miss": "retrieval miss",
  "blamed agent": "fallback: blamed agent",
  "negative feedback": "fallback: negative feedback",
  "error status": "fallback: status"
};

const CHIP_CHARS = 60;

/**
 * What makes a signature cluster's key, one chip a field ("tool: cancel_reservation · error: …"), so a reader sees
 * which facts its traces share. The values are trace text: rendered as text, cut, with the whole in the title.
 */
function madeOfChips(fields: readonly SignatureFieldValue[]): HTMLElement | null {
  if (fields.length === 0) return null;
  return el(
    "div",
    {class: "pl-made-of", attrs: {"aria-label": "What makes this signature"}},
    ...fields.flatMap((f, i) => [
      i > 0 ? " · " : null,
      el(
        "span",
        {
          class: "pl-chip",
          attrs: {"data-field": f.field},
          title: FALLBACK_FIELDS.includes(f.field)
            ? `No tool, step or retrieval failed in these traces, so the signature falls back on the ${f.field}: ${f.value}`
            : `${f.field}: ${f.value}`
        },
        `${FIELD_NAMES[f.field]}: ${shorten(f.value, CHIP_CHARS)}`
      )
    ])
  );
}

/** The cluster's id, which commands take, with a button that copies it. */
function clusterId(id: string): HTMLElement {
  const code = el("code", {class: "pl-cluster-id"}, id);
  const button = el("button", {class: "pl-link pl-copy", attrs: {"aria-label": `Copy ${id}`}}, "copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(id);
      button.textContent = "copied";
    } catch {
      // No clipboard (an insecure origin, a refused permission): select the id for the reader to copy.
      getSelection()?.selectAllChildren(code);
      button.textContent = "selected: press Ctrl+C";
    }
    setTimeout(() => (button.textContent = "copy"), 2000);
  });
  return el("div", {class: "pl-id-line"}, code, " ", button);
}

/** Bars of traces per day, drawn as SVG rects (no text from the data goes in). */
export function sparkline(daily: readonly number[], width = 90, height = 18): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("class", "pl-spark");
  const max = Math.max(1, ...daily);
  const step = width / Math.max(1, daily.length);
  daily.forEach((value, i) => {
    if (value === 0) return;
    const rect = document.createElementNS(SVG, "rect");
    const h = Math.max(1.5, (value / max) * height);
    rect.setAttribute("x", String(i * step));
    rect.setAttribute("y", String(height - h));
    rect.setAttribute("width", String(Math.max(1, step - 1)));
    rect.setAttribute("height", String(h));
    svg.appendChild(rect);
  });
  return svg;
}

/** Told when the server promoted a cluster, so the page can show the new mode without a reload. */
export type OnPromoted = (mode: {name: string; description: string | null; cluster: ClusterSummaryRow}) => void;

function promoteForm(cluster: ClusterSummaryRow, onPromoted: OnPromoted): HTMLElement {
  const name = el("input", {
    attrs: {type: "text", "aria-label": "Failure-mode name", maxlength: "120", placeholder: "failure-mode name"}
  });
  name.value = shorten(cluster.name, 80, "");
  const description = el("input", {
    attrs: {type: "text", "aria-label": "Description", maxlength: "400", placeholder: "what goes wrong, in a sentence"}
  });
  const command = el("code", {class: "pl-command"});
  const status = el("div", {class: "pl-muted"});
  const update = () => replace(command, promoteCommand(name.value.trim(), cluster.id, description.value.trim()));
  name.addEventListener("input", update);
  description.addEventListener("input", update);
  update();
  const submit = el(
    "button",
    {
      on: {
        click: async () => {
          replace(status, "Promoting…");
          const result = await tryApi("api/failure-modes/promote", {
            name: name.value,
            description: description.value || null,
            clusterId: cluster.id
          });
          if (!result.ok) return replace(status, result.message);
          replace(status, `Promoted: “${name.value.trim()}” is now among the failure modes below.`);
          onPromoted({name: name.value.trim(), description: description.value.trim() || null, cluster});
        }
      }
    },
    "Promote"
  );
  return el(
    "div",
    {class: "pl-promote"},
    el("div", {class: "pl-label"}, "Promote to a failure mode"),
    name,
    description,
    submit,
    el("div", {class: "pl-label"}, "or run"),
    command,
    status
  );
}

const SHOWN = 25;

/** `labels` names semantic clusters as the map does (S1, S2, …). */
export function clusterTable(
  clusters: readonly ClusterSummaryRow[],
  onShow: (cluster: ClusterSummaryRow) => void,
  labels: ReadonlyMap<string, string> = new Map(),
  onPromoted: OnPromoted = () => {}
): HTMLElement {
  const sorted = clusters.slice().sort(byPriority);
  const clusterRows = table(
    {class: "pl-clusters"},
    ["Kind", "Cluster", "Traces", "Sessions", "Severity", "Priority", "Traces a day, 30 days", ""],
    []
  );
  // Filled, and filled again when the kind or "show all" changes.
  const body = clusterRows.tBodies[0]!;
  const kind = el(
    "select",
    {attrs: {"aria-label": "Kind of cluster"}},
    el("option", {attrs: {value: ""}}, "all kinds"),
    el("option", {attrs: {value: "signature"}}, "signature"),
    el("option", {attrs: {value: "semantic"}}, "semantic")
  );
  const more = el("button", {class: "pl-link"});
  let showAll = false;
  const render = () => {
    const rows = sorted.filter((c) => !kind.value || c.kind === kind.value);
    replace(
      body,
      ...rows
        .slice(0, showAll ? rows.length : SHOWN)
        .flatMap((cluster) => clusterRow(cluster, onShow, labels, onPromoted))
    );
    replace(
      more,
      rows.length > SHOWN ? (showAll ? `show the first ${SHOWN}` : `show all ${count(rows.length)} clusters`) : ""
    );
  };
  kind.addEventListener("change", render);
  more.addEventListener("click", () => {
    showAll = !showAll;
    render();
  });
  render();
  return el("div", {class: "pl-cluster-table"}, el("div", null, kind), clusterRows, more);
}

function clusterRow(
  cluster: ClusterSummaryRow,
  onShow: (cluster: ClusterSummaryRow) => void,
  labels: ReadonlyMap<string, string>,
  onPromoted: OnPromoted
): HTMLTableRowElement[] {
  const label = labels.get(cluster.id);
  // The promote form opens in the row after the cluster's own, spanning the table.
  const detail = tableRow({props: {class: "pl-detail", attrs: {hidden: ""}}, cells: [cell({attrs: {colspan: "8"}})]});
  const num = {class: "pl-num"};
  const row = tableRow({
    props: {attrs: {"data-cluster": cluster.id}},
    cells: [
      el(
        "span",
        {class: `pl-badge ${cluster.kind === "signature" ? "pl-bad" : ""}`},
        label ? `${cluster.kind} ${label}` : cluster.kind
      ),
      cell(
        {class: "pl-cluster-name"},
        el("span", {class: "pl-name", title: cluster.name}, shorten(cluster.name, NAME_CHARS)),
        madeOfChips(cluster.fields ?? []),
        clusterId(cluster.id),
        cluster.kind === "semantic" && cluster.terms.length
          ? el("div", {class: "pl-muted"}, cluster.terms.join(" · "))
          : null,
        cluster.topic
          ? el(
              "div",
              {class: "pl-muted pl-topic"},
              `about: ${cluster.topic.terms.slice(0, 4).join(" · ")} (${labels.get(cluster.topic.clusterId) ?? cluster.topic.clusterId}, ` +
                `${Math.round(cluster.topic.share * 100)}% of its traces)`
            )
          : null
      ),
      cell(num, count(cluster.size)),
      cell(num, count(cluster.sessions)),
      cell(
        num,
        cluster.severity.toFixed(1),
        // What annotators and imported tickets said, beside the cluster's own failure weight.
        cluster.labelSeverity
          ? el(
              "div",
              {class: "pl-muted pl-label-severity", title: `from ${cluster.labelSeverity.labels} labels`},
              `worst ${cluster.labelSeverity.worst} · mostly ${cluster.labelSeverity.common}`
            )
          : null
      ),
      cell(num, (cluster.size * cluster.severity).toFixed(1)),
      volume(cluster),
      cell(
        null,
        el("button", {class: "pl-link", on: {click: () => onShow(cluster)}}, "traces"),
        " · ",
        el(
          "button",
          {
            class: "pl-link",
            on: {
              click: () => {
                const form = detail.firstElementChild!;
                if (!form.firstChild) replace(form, promoteForm(cluster, onPromoted));
                detail.toggleAttribute("hidden");
              }
            }
          },
          "promote…"
        )
      )
    ]
  });
  return [row, detail];
}
