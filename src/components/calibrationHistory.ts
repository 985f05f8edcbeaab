/**
 * @module The calibration page's record over time: every calibration recorded (by `generate` and `calibrate
 * update`) as MCC over time, with its interval as a rule, one chart and table per evaluator; and the pairs on
 * traces an evaluator learned from, shown apart as in-sample, since they are never evidence. All text is set as text.
 */
import type * as PlotModule from "@observablehq/plot";
import {confusion} from "../core/calibration/confusion.js";
import {mcc} from "../core/calibration/judgeAgreement.js";
import type {CalibrationPageData} from "../core/calibration/pageData.js";
import type {CalibrationSnapshot} from "../core/schemas/calibrationSnapshot.js";
import {el, table} from "./dom.js";

type Plot = typeof PlotModule;

const mccText = (s: CalibrationSnapshot) =>
  s.mcc === null
    ? "undefined"
    : `${s.mcc.toFixed(3)}${s.mccInterval ? ` [${s.mccInterval[0].toFixed(2)}, ${s.mccInterval[1].toFixed(2)}]` : ""}`;

function byEvaluator<T extends {evaluatorId: string}>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    let list = out.get(r.evaluatorId);
    if (!list) out.set(r.evaluatorId, (list = []));
    list.push(r);
  }
  return out;
}

function chart(snapshots: CalibrationSnapshot[], Plot: Plot): SVGSVGElement | HTMLElement {
  const points = snapshots.flatMap((s) =>
    s.mcc === null
      ? []
      : [
          {
            at: new Date(s.takenAt),
            mcc: s.mcc,
            low: s.mccInterval?.[0] ?? s.mcc,
            high: s.mccInterval?.[1] ?? s.mcc,
            version: s.evaluatorVersion,
            label: `${s.takenAt.slice(0, 16).replace("T", " ")} · ${s.evaluatorVersion} · ${s.labelSet} · n ${s.n} ${s.split} · MCC ${mccText(s)}`
          }
        ]
  );
  if (!points.length) return el("p", {class: "pl-muted"}, "No snapshot has a defined MCC yet.");
  return Plot.plot({
    height: 200,
    marginLeft: 44,
    x: {type: "utc", label: "measured", inset: 20},
    y: {domain: [-0.2, 1], grid: true, label: "MCC"},
    color: {legend: new Set(points.map((p) => p.version)).size > 1},
    marks: [
      Plot.ruleY([0.6], {stroke: "var(--pl-ok)", strokeDasharray: "4 3"}),
      Plot.ruleY([0.4], {stroke: "var(--pl-warn)", strokeDasharray: "4 3"}),
      Plot.ruleX(points, {x: "at", y1: "low", y2: "high", stroke: "version", strokeWidth: 2, strokeOpacity: 0.5}),
      Plot.line(points, {x: "at", y: "mcc", stroke: "currentColor", strokeOpacity: 0.4}),
      Plot.dot(points, {x: "at", y: "mcc", r: 4, fill: "version", title: "label"})
    ]
  });
}

function snapshotTable(snapshots: CalibrationSnapshot[]): HTMLElement {
  return table(
    {class: "pl-cal-table pl-cal-snapshots"},
    ["measured", "version", "label set", "labels", "tp", "fp", "fn", "tn", "MCC [95 %]", "by"],
    [...snapshots].reverse().map((s) => ({
      props: {attrs: {"data-label-set": s.labelSet}},
      cells: [
        s.takenAt.slice(0, 16).replace("T", " "),
        s.evaluatorVersion,
        s.labelSet,
        `${s.n} ${s.split}`,
        s.confusion.tp,
        s.confusion.fp,
        s.confusion.fn,
        s.confusion.tn,
        mccText(s),
        s.source
      ]
    }))
  );
}

/** MCC over time, per evaluator, newest snapshot first in its table. */
export function mccOverTime(data: CalibrationPageData, Plot: Plot): HTMLElement {
  const root = el("section", {class: "pl-cal-history"}, el("h2", null, "MCC over time"));
  if (!data.snapshots.length) {
    root.append(
      el(
        "p",
        {class: "pl-muted"},
        "No calibration recorded yet. ",
        el("code", null, "plumbline generate"),
        " and ",
        el("code", null, "plumbline calibrate update"),
        " each keep one, against the label set (the criterion's ground truth, by version) they measured on."
      )
    );
    return root;
  }
  for (const [id, snapshots] of byEvaluator(data.snapshots)) {
    root.append(
      el(
        "div",
        {class: "pl-cal-history-evaluator", attrs: {"data-evaluator": id}},
        el("h3", null, `${id} (${snapshots.length} snapshot${snapshots.length > 1 ? "s" : ""})`),
        chart(snapshots, Plot),
        snapshotTable(snapshots)
      )
    );
  }
  return root;
}

/** Each evaluator version's figures on the traces it learned from: shown, marked in-sample, never counted. */
export function inSampleView(data: CalibrationPageData): HTMLElement {
  const root = el("section", {class: "pl-cal-in-sample"});
  // Labels accepted from an evaluator's own draft are left out of its figures in the data already; say how many.
  const drafted = data.drafted ?? [];
  if (drafted.length)
    root.append(
      el(
        "p",
        {class: "pl-muted pl-cal-drafted"},
        `Not counted, as not independent of the evaluator that drafted them: ${drafted
          .map((d) => `${d.traces} labelled trace${d.traces === 1 ? "" : "s"} of ${d.e} ${d.v}`)
          .join(", ")} (accepted from its own draft on the Annotate page).`
      )
    );
  if (!data.inSample.length) return root;
  const groups = new Map<string, {e: string; v: string; pairs: {human: "pass" | "fail"; judge: "pass" | "fail"}[]}>();
  for (const r of data.inSample) {
    const key = `${r.e}\u0000${r.v}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = {e: r.e, v: r.v, pairs: []}));
    g.pairs.push({human: r.h, judge: r.j});
  }
  root.append(
    el("h2", null, "In-sample labels (not counted)"),
    el(
      "p",
      {class: "pl-muted"},
      "Traces an evaluator was learned from say how well it fits them, not how well it judges new ones: every figure above leaves them out."
    ),
    table(
      {class: "pl-cal-table"},
      ["evaluator", "version", "n", "tp", "fp", "fn", "tn", "MCC"],
      [...groups.values()].map((g) => {
        const c = confusion(g.pairs);
        const m = mcc(c);
        return {
          props: {attrs: {"data-evaluator": g.e}},
          cells: [
            g.e,
            g.v,
            g.pairs.length,
            c.tp,
            c.fp,
            c.fn,
            c.tn,
            "value" in m ? `${m.value.toFixed(3)} (in-sample)` : `undefined (in-sample)`
          ]
        };
      })
    )
  );
  return root;
}
