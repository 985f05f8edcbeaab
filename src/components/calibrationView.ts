/**
 * @module The calibration page's view: every evaluator's gate status, and for the chosen one its judge-vs-human
 * confusion matrix (a click on a cell lists those traces, the judge's reasoning beside the annotator's
 * explanation), its metrics with intervals, its MCC across versions, per-annotator agreement and the corrected
 * failure rate. The workspace's own evaluators come first; imported benchmark sets follow in a section of their
 * own, with their figures over every class. All text is set as text.
 */
import type * as PlotModule from "@observablehq/plot";
import type {MetricName} from "../core/calibration/judgeAgreement.js";
import type {Cell} from "../core/calibration/confusion.js";
import {trustNote, type TrustStatus} from "../core/calibration/trust.js";
import {judgmentSetStats, type NullRule} from "../core/calibration/judgmentSetStats.js";
import {noFiguresReason} from "../core/calibration/noFigures.js";
import {valueOr, type Metric} from "../core/calibration/metric.js";
import {classRows, type CalibrationPageData} from "../core/calibration/pageData.js";
import {reportFromConfusion, type MetricWithInterval} from "../core/calibration/report.js";
import {
  summarizeCalibration,
  versionKey,
  type EvaluatorCalibration,
  type VersionCalibration
} from "../core/calibration/summary.js";
import {cell, el, replace, table as recordTable} from "./dom.js";

type Plot = typeof PlotModule;
type Row = CalibrationPageData["aligned"][number];

const STATUS_TEXT: Record<TrustStatus, string> = {
  blocks: "can block a deployment (MCC ≥ 0.6)",
  reports: "reports only (0.4 ≤ MCC < 0.6)",
  "not-trusted": "not trusted (MCC < 0.4)",
  uncalibrated: "uncalibrated"
};

const METRIC_LABELS: [MetricName, string][] = [
  ["mcc", "MCC"],
  ["kappa", "Cohen's kappa"],
  ["accuracy", "Accuracy"],
  ["balancedAccuracy", "Balanced accuracy"],
  ["tpr", "TPR (failures caught)"],
  ["tnr", "TNR (passes kept)"],
  ["precision", "Precision"],
  ["f1", "F1"]
];

const CELLS: {cell: Cell; human: "fail" | "pass"; judge: "fail" | "pass"; name: string}[] = [
  {cell: "tp", human: "fail", judge: "fail", name: "true positives"},
  {cell: "fn", human: "fail", judge: "pass", name: "false negatives (failures the judge missed)"},
  {cell: "fp", human: "pass", judge: "fail", name: "false positives (passes the judge failed)"},
  {cell: "tn", human: "pass", judge: "pass", name: "true negatives"}
];

const f = (m: Metric, digits = 3) => ("value" in m ? m.value.toFixed(digits) : "undefined");

/** The kind of an evaluator version written by `plumbline calibrate import`. */
const IMPORTED = "imported";

function metricText(m: MetricWithInterval): string {
  if ("undefined" in m.metric) return `undefined: ${m.metric.undefined}`;
  const i = m.interval;
  if (!("low" in i)) return `${m.metric.value.toFixed(3)}  (no interval: ${i.undefined})`;
  const left = i.undefinedShare ? `  (${(i.undefinedShare * 100).toFixed(0)} % of draws undefined, left out)` : "";
  return `${m.metric.value.toFixed(3)}  [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]${left}`;
}

function badge(status: TrustStatus): HTMLElement {
  return el("span", {class: `pl-cal-badge pl-cal-${status}`}, STATUS_TEXT[status]);
}

export interface ExportLinks {
  csv: string;
  parquet: string;
}

export function calibrationView(data: CalibrationPageData, Plot: Plot, links: ExportLinks): HTMLElement {
  const evaluators = summarizeCalibration(
    data.aligned.map((r) => ({evaluatorId: r.e, evaluatorVersion: r.v, human: r.h, judge: r.j})),
    data.versions,
    {
      seed: 1,
      populations: new Map(data.populations.map((p) => [versionKey(p.e, p.v), p.confusion]))
    }
  );
  const root = el("div", {class: "pl-calibration"});
  if (!evaluators.length) {
    root.append(
      el(
        "p",
        {class: "pl-muted"},
        "No judge verdicts yet. Run an evaluator with ",
        el("code", null, "plumbline judge run --evaluator <id>"),
        ", or import a set of human and judge labels with ",
        el("code", null, "plumbline calibrate import pandalm data/demo/pandalm"),
        "."
      )
    );
    return root;
  }
  // The workspace's own evaluators lead; imported benchmark sets are reference material, in a section of their own.
  const own = evaluators.filter((e) => e.current.info.kind !== IMPORTED);
  const imported = evaluators.filter((e) => e.current.info.kind === IMPORTED);
  const detail = el("div", {class: "pl-cal-detail"});
  let selected = (own[0] ?? imported[0])!.evaluatorId;
  const ownTable = el("table", {class: "pl-cal-table pl-cal-overview", attrs: {"data-section": "own"}});
  const importedTable = el("table", {class: "pl-cal-table pl-cal-overview", attrs: {"data-section": "imported"}});
  const ownSection = el(
    "section",
    {class: "pl-cal-own"},
    el("h2", null, "Your evaluators"),
    own.length
      ? ownTable
      : el(
          "p",
          {class: "pl-muted"},
          "No evaluator of this workspace has verdicts yet: run one with ",
          el("code", null, "plumbline judge run --evaluator <id>"),
          ". The imported benchmark sets below show how LLM judges fare against people."
        ),
    el(
      "p",
      {class: "pl-cal-exports"},
      "Aligned judge and human labels, side by side: ",
      el("a", {attrs: {href: links.csv, download: "calibration-labels.csv"}}, "CSV"),
      " · ",
      el("a", {attrs: {href: links.parquet, download: "calibration-labels.parquet"}}, "Parquet"),
      el("span", {class: "pl-muted"}, "  (also ", el("code", null, "plumbline calibrate export --out labels.csv"), ")")
    )
  );
  const importedSection = el(
    "section",
    {class: "pl-cal-benchmarks"},
    el("h2", null, "Imported benchmark sets"),
    el(
      "p",
      {class: "pl-muted"},
      "Public sets of human labels and stored LLM-judge verdicts (",
      el("code", null, "plumbline calibrate import"),
      "): each judge is an evaluator calibrated against the set's people."
    ),
    importedTable
  );
  const drawOverview = (table: HTMLElement, list: EvaluatorCalibration[]) => {
    replace(
      table,
      el(
        "thead",
        null,
        el(
          "tr",
          null,
          ...["Evaluator", "Criterion", "Current version", "n", "MCC [95 % interval]", "Gate", "Warnings"].map((h) =>
            el("th", null, h)
          )
        )
      ),
      el(
        "tbody",
        null,
        ...list.map((e) => {
          const v = e.current;
          return el(
            "tr",
            {
              class: e.evaluatorId === selected ? "pl-cal-selected" : "",
              attrs: {"data-evaluator": e.evaluatorId},
              on: {click: () => select(e.evaluatorId)}
            },
            el("td", null, el("button", {class: "pl-cal-link"}, e.evaluatorId)),
            el("td", null, e.criterion),
            el("td", {class: "pl-mono"}, v.info.evaluatorVersion),
            el("td", {class: "pl-num"}, v.report.n),
            el("td", {class: "pl-num"}, v.report.n ? metricText(v.report.metrics.mcc) : "—"),
            el("td", null, badge(v.gate.status)),
            el("td", {class: "pl-num"}, v.gate.warnings.length || "")
          );
        })
      )
    );
  };
  const select = (id: string) => {
    selected = id;
    if (own.length) drawOverview(ownTable, own);
    if (imported.length) drawOverview(importedTable, imported);
    const e = evaluators.find((x) => x.evaluatorId === id)!;
    // One detail at a time, under the table its evaluator is listed in.
    (e.current.info.kind === IMPORTED ? importedTable : ownSection.lastElementChild!).after(detail);
    replace(detail, evaluatorDetail(e, data, Plot));
  };
  root.append(ownSection);
  if (imported.length || data.judgmentSets.length) {
    root.append(importedSection);
    if (!imported.length) importedTable.remove();
    if (data.judgmentSets.length) importedSection.append(judgmentSets(data));
  }
  select(selected);
  return root;
}

function evaluatorDetail(e: EvaluatorCalibration, data: CalibrationPageData, Plot: Plot): HTMLElement {
  const v = e.current;
  const history = e.versions.filter((x) => x !== v);
  const out = el(
    "section",
    {class: "pl-cal-evaluator"},
    el("h2", null, e.evaluatorId),
    el(
      "p",
      null,
      "Detects ",
      el("strong", null, e.failureMode),
      ` · criterion ${e.criterion} · ${v.info.kind}${v.info.judgeModel ? ` · judge ${v.info.judgeModel}` : ""} · version `,
      el("span", {class: "pl-mono"}, v.info.evaluatorVersion)
    ),
    el(
      "p",
      {class: "pl-cal-gate"},
      "Gate: ",
      badge(v.gate.status),
      " ",
      // The same words `plumbline calibrate report` and the gate print: weak evidence, or an inverted verdict.
      trustNote(v.gate, valueOr(v.report.metrics.mcc.metric)) === null
        ? null
        : el("strong", {class: "pl-cal-trust-note"}, `${trustNote(v.gate, valueOr(v.report.metrics.mcc.metric))} `),
      el("span", {class: "pl-muted"}, v.gate.reason)
    ),
    v.gate.warnings.length
      ? el("ul", {class: "pl-cal-warnings"}, ...v.gate.warnings.map((w) => el("li", null, w)))
      : null,
    v.info.errors
      ? el(
          "p",
          {class: "pl-muted"},
          `${v.info.errors} traces have a failed judge call (an error, not a verdict) and are left out.`
        )
      : null
  );
  if (v.report.n === 0) {
    out.append(
      el(
        "p",
        {class: "pl-cal-note"},
        history.length
          ? "This version has no human-labelled traces yet: it starts uncalibrated. The figures of earlier versions below are history and do not carry over."
          : `No figures: ${noFiguresReason(v)}.`
      )
    );
  } else {
    const rows = data.aligned.filter((r) => r.e === e.evaluatorId && r.v === v.info.evaluatorVersion);
    out.append(el("div", {class: "pl-cal-grid"}, confusionMatrix(v, rows), metricsTable(v)));
  }
  out.append(el("h3", null, "MCC by version"), mccChart(e, Plot));
  const annotators = data.annotators.filter((a) => a.e === e.evaluatorId && a.v === v.info.evaluatorVersion);
  if (annotators.length) out.append(el("h3", null, "Per annotator (this version)"), annotatorTable(annotators));
  if (v.correction.unlabeled > 0) out.append(el("h3", null, "Unlabeled traffic"), correction(v));
  return out;
}

function confusionMatrix(v: VersionCalibration, rows: Row[]): HTMLElement {
  const list = el("div", {class: "pl-cal-cell-list"}, el("p", {class: "pl-muted"}, "Click a cell to list its traces."));
  const c = v.report.confusion;
  const cellButton = (spec: (typeof CELLS)[number]) =>
    el(
      "td",
      null,
      el(
        "button",
        {
          class: `pl-cal-cell pl-cal-${spec.cell}`,
          attrs: {"data-cell": spec.cell, "aria-label": `${spec.name}: ${c[spec.cell]}`},
          on: {
            click: () =>
              replace(
                list,
                cellTraces(
                  spec,
                  rows.filter((r) => r.h === spec.human && r.j === spec.judge)
                )
              )
          }
        },
        el("span", {class: "pl-cal-count"}, c[spec.cell]),
        el("span", {class: "pl-cal-cell-name"}, spec.cell.toUpperCase())
      )
    );
  const table = el(
    "table",
    {class: "pl-cal-matrix"},
    el("thead", null, el("tr", null, el("th", null, ""), el("th", null, "judge: fail"), el("th", null, "judge: pass"))),
    el(
      "tbody",
      null,
      el("tr", null, el("th", null, "human: fail"), cellButton(CELLS[0]!), cellButton(CELLS[1]!)),
      el("tr", null, el("th", null, "human: pass"), cellButton(CELLS[2]!), cellButton(CELLS[3]!))
    )
  );
  return el(
    "div",
    {class: "pl-cal-matrix-box"},
    el("h3", null, `Judge vs human (n = ${v.report.n}; ${v.report.humanFail} human fail, ${v.report.humanPass} pass)`),
    table,
    list
  );
}

const SHOWN = 200;

function cellTraces(spec: (typeof CELLS)[number], rows: Row[]): HTMLElement {
  const box = el("div", {class: "pl-cal-traces"}, el("h4", null, `${rows.length} ${spec.name}`));
  if (!rows.length) return box;
  box.append(
    recordTable(
      {class: "pl-cal-table"},
      ["Trace", "Judge's reasoning", "Annotator's explanation"],
      [...rows]
        .sort((a, b) => a.t.localeCompare(b.t, undefined, {numeric: true}))
        .slice(0, SHOWN)
        .map((r) => ({
          props: {class: "pl-cal-trace"},
          cells: [
            cell({class: "pl-mono pl-cal-id"}, r.t),
            cell({class: "pl-cal-text"}, r.r ?? "—"),
            cell({class: "pl-cal-text"}, r.x ?? "—", el("div", {class: "pl-muted"}, r.d))
          ]
        }))
    )
  );
  if (rows.length > SHOWN)
    box.append(el("p", {class: "pl-muted"}, `First ${SHOWN} of ${rows.length}; the export has all of them.`));
  return box;
}

function metricsTable(v: VersionCalibration): HTMLElement {
  return el(
    "div",
    null,
    el("h3", null, "Agreement (95 % intervals: Wilson for the rates, Bayesian for the rest)"),
    el(
      "table",
      {class: "pl-cal-table pl-cal-metrics"},
      el(
        "tbody",
        null,
        ...METRIC_LABELS.map(([name, label]) =>
          el(
            "tr",
            {attrs: {"data-metric": name}},
            el("th", null, label),
            el("td", {class: "pl-num pl-mono"}, metricText(v.report.metrics[name]))
          )
        )
      )
    )
  );
}

function mccChart(e: EvaluatorCalibration, Plot: Plot): HTMLElement | SVGSVGElement {
  const points = e.versions.flatMap((v) => {
    const m = v.report.metrics.mcc;
    if (!("value" in m.metric)) return [];
    const i = m.interval;
    return [
      {
        version: v.info.evaluatorVersion,
        firstSeen: v.info.firstSeen,
        mcc: m.metric.value,
        low: "low" in i ? i.low : m.metric.value,
        high: "high" in i ? i.high : m.metric.value,
        n: v.report.n
      }
    ];
  });
  if (!points.length) return el("p", {class: "pl-muted"}, "No version has a defined MCC yet.");
  return Plot.plot({
    height: 200,
    marginLeft: 44,
    x: {
      type: "point",
      domain: e.versions.map((v) => v.info.evaluatorVersion),
      label: "version (oldest first)",
      padding: 0.5
    },
    y: {domain: [-0.2, 1], grid: true, label: "MCC"},
    marks: [
      Plot.ruleY([0.6], {stroke: "var(--pl-ok)", strokeDasharray: "4 3"}),
      Plot.ruleY([0.4], {stroke: "var(--pl-warn)", strokeDasharray: "4 3"}),
      Plot.text(
        [
          {y: 0.6, t: "blocks"},
          {y: 0.4, t: "reports"}
        ],
        {y: "y", text: "t", frameAnchor: "left", textAnchor: "start", dx: 4, dy: -7, fill: "currentColor", fontSize: 10}
      ),
      Plot.ruleX(points, {x: "version", y1: "low", y2: "high", strokeWidth: 2}),
      Plot.dot(points, {
        x: "version",
        y: "mcc",
        r: 4,
        fill: "currentColor",
        title: (d: (typeof points)[number]) =>
          `${d.version}\nfirst seen ${d.firstSeen}\nMCC ${d.mcc.toFixed(3)} [${d.low.toFixed(3)}, ${d.high.toFixed(3)}], n ${d.n}`
      })
    ]
  });
}

function annotatorTable(rows: CalibrationPageData["annotators"]): HTMLElement {
  return recordTable(
    {class: "pl-cal-table"},
    ["Annotator", "n", "MCC [95 %]", "Cohen's kappa", "Accuracy"],
    rows.map((a) => {
      const r = reportFromConfusion(a.confusion, {seed: 1});
      return {
        cells: [
          a.a,
          cell({class: "pl-num"}, r.n),
          cell({class: "pl-num pl-mono"}, metricText(r.metrics.mcc)),
          cell({class: "pl-num"}, f(r.metrics.kappa.metric)),
          cell({class: "pl-num"}, f(r.metrics.accuracy.metric))
        ]
      };
    })
  );
}

function correction(v: VersionCalibration): HTMLElement {
  const c = v.correction;
  const corrected =
    "value" in c.corrected
      ? `${(c.corrected.value * 100).toFixed(1)} %${"low" in c.interval ? ` [${(c.interval.low * 100).toFixed(1)}, ${(c.interval.high * 100).toFixed(1)}]` : ""}`
      : `undefined: ${c.corrected.undefined}`;
  return el(
    "p",
    null,
    `On ${c.unlabeled} traces without a human label the judge fails ${"value" in c.observed ? (c.observed.value * 100).toFixed(1) : "?"} %; `,
    "corrected for its error rates (Rogan–Gladen), the true failure rate is ",
    el("strong", null, corrected),
    "."
  );
}

const RULE_TEXT: Record<NullRule, string> = {
  wrong: "counted as wrong answers, in n (the rule the source's published figures follow)",
  missing: "left out of n",
  tie: "counted as ties (the rule the source's published figures follow)"
};

/** A table with a header row and one row per entry; null (nothing shown) when there are no rows. */
function table(className: string, headers: string[], rows: HTMLElement[]): HTMLElement | null {
  if (!rows.length) return null;
  return el(
    "table",
    {class: `pl-cal-table ${className}`},
    el("thead", null, el("tr", null, ...headers.map((h) => el("th", null, h)))),
    el("tbody", null, ...rows)
  );
}

function judgmentSets(data: CalibrationPageData): HTMLElement {
  const out = el(
    "div",
    {class: "pl-cal-sets"},
    el("h3", null, "Every class (first better, second better, and tie where the set has ties)")
  );
  for (const set of data.judgmentSets) {
    const stats = judgmentSetStats(classRows(set), set.nullAs);
    const all = stats.annotators;
    const parts: (HTMLElement | null)[] = [
      el(
        "h4",
        {attrs: {"data-set": set.dataset}},
        `${set.dataset}: ${stats.items} items, human majority on ${stats.withMajority}`
      ),
      el(
        "p",
        {class: "pl-muted"},
        `n counts the items with a majority; a judge's unreadable answers are ${RULE_TEXT[set.nullAs]}.`
      ),
      table(
        "pl-cal-set",
        [
          "Judge vs human majority",
          "n",
          "Accuracy",
          "Macro precision",
          "Macro recall",
          "Macro F1",
          "Cohen's kappa",
          "Unreadable"
        ],
        stats.judges.map((j) =>
          el(
            "tr",
            {attrs: {"data-rater": j.rater}},
            el("td", null, j.rater),
            el("td", {class: "pl-num"}, j.agreement.n),
            ...[
              j.agreement.accuracy,
              j.agreement.macroPrecision,
              j.agreement.macroRecall,
              j.agreement.macroF1,
              j.agreement.kappa
            ].map((m) => el("td", {class: "pl-num"}, f(m, 4))),
            el("td", {class: "pl-num"}, j.unreadable || "")
          )
        )
      ),
      table(
        "pl-cal-set pl-cal-orders",
        ["Judge in both orders", "n", "Positional agreement", "Cohen's kappa between orders"],
        stats.orders.map((o) =>
          el(
            "tr",
            {attrs: {"data-rater": o.rater}},
            el("td", null, o.rater),
            el("td", {class: "pl-num"}, o.n),
            el("td", {class: "pl-num"}, f(o.agreement, 4)),
            el("td", {class: "pl-num"}, f(o.kappa, 4))
          )
        )
      ),
      table(
        "pl-cal-set pl-cal-annotators",
        ["Annotators", "Cohen's kappa", "Agreement"],
        [
          ...stats.annotatorPairs.map((p) =>
            el(
              "tr",
              null,
              el("td", null, `${p.a} – ${p.b}`),
              el("td", {class: "pl-num"}, f(p.agreement.kappa, 4)),
              el("td", {class: "pl-num"}, f(p.agreement.accuracy, 4))
            )
          )
        ]
      ),
      all
        ? el(
            "p",
            {class: "pl-cal-all-annotators"},
            `All ${all.raters.length} annotators: Fleiss' kappa ${f(all.fleissKappa, 4)} over the ${all.complete} items every one labelled; Krippendorff's alpha (nominal) ${f(all.alpha, 4)}.`
          )
        : null
    ];
    out.append(...parts.filter((p): p is HTMLElement => p !== null));
  }
  return out;
}
