/**
 * @module The Experiments page: two experiments chosen from the workspace's, compared case by case
 * (`compareExperiments`): per evaluator both pass rates, the paired difference and the exact McNemar test, with the
 * cases that regressed and improved; cost and latency side by side; every case's two outputs with their verdicts.
 * Outputs are the candidates' text and untrusted: they are set as text, never as markup.
 */
import type * as PlotModule from "@observablehq/plot";
import {compareExperiments, type CaseComparison, type Comparison, type SideCase} from "../core/experiments/compare.js";
import {formatP, percent} from "../core/gate/format.js";
import type {ExperimentSide} from "../core/experiments/compare.js";
import {append, el, replace, table} from "./dom.js";

export interface ExperimentsData {
  experiments: {
    experiment: {name: string; dataset: string; datasetVersion: number; startedAt: string};
    side: ExperimentSide;
  }[];
  evaluators: string[];
  leftOut: string[];
  problems: string[];
}

const money = (x: number | null) => (x === null ? "—" : `$${x.toFixed(4)}`);
const ms = (x: number | null) => (x === null ? "—" : `${Math.round(x)} ms`);
const signed = (x: number | null) => (x === null ? "—" : `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} pp`);

function select(label: string, names: string[], value: string): HTMLSelectElement {
  const s = el("select", {attrs: {"aria-label": label}}, ...names.map((n) => el("option", {attrs: {value: n}}, n)));
  s.value = value;
  return s;
}

export function experimentsView(data: ExperimentsData, Plot: typeof PlotModule): HTMLElement {
  const root = el("div", {class: "pl-experiments"});
  for (const p of data.problems) root.append(el("p", {class: "pl-cal-note"}, p));
  if (data.experiments.length < 2) {
    root.append(
      el(
        "p",
        {class: "pl-muted pl-exp-empty"},
        `${data.experiments.length} experiment${data.experiments.length === 1 ? "" : "s"} in this workspace; comparing needs two. Run them with `,
        el("code", null, "plumbline experiment run --dataset <name> --name <name> --task <command>"),
        "."
      )
    );
    return root;
  }
  const names = data.experiments.map((e) => e.experiment.name);
  // Newest first: the latest is the candidate, the one before it on the same dataset the baseline.
  const latest = data.experiments[0]!;
  const before =
    data.experiments.slice(1).find((e) => e.experiment.dataset === latest.experiment.dataset) ?? data.experiments[1]!;
  const a = select("Baseline (A)", names, before.experiment.name);
  const b = select("Candidate (B)", names, latest.experiment.name);
  const out = el("div", {class: "pl-exp-comparison"});
  const render = () => {
    const sa = data.experiments.find((e) => e.experiment.name === a.value)!;
    const sb = data.experiments.find((e) => e.experiment.name === b.value)!;
    replace(
      out,
      comparisonView(compareExperiments(sa.side, sb.side), Plot, sa.experiment.dataset !== sb.experiment.dataset)
    );
  };
  a.addEventListener("change", render);
  b.addEventListener("change", render);
  append(
    root,
    el("p", {class: "pl-exp-pick"}, "Baseline (A) ", a, " · candidate (B) ", b),
    data.leftOut.length
      ? el(
          "p",
          {class: "pl-muted"},
          `Scored by the suite's rule evaluators; LLM judges (${data.leftOut.join(", ")}) run with \`plumbline experiment compare\`.`
        )
      : null,
    out
  );
  render();
  return root;
}

function comparisonView(c: Comparison, Plot: typeof PlotModule, otherDatasets: boolean): HTMLElement {
  const rows = c.evaluators.flatMap((e) => [
    {evaluator: e.evaluator, side: `A ${c.a}`, rate: e.a.rate},
    {evaluator: e.evaluator, side: `B ${c.b}`, rate: e.b.rate}
  ]);
  const chart = Plot.plot({
    height: 40 + 36 * Math.max(1, c.evaluators.length),
    marginLeft: 180,
    x: {domain: [0, 1], tickFormat: "%", label: "pass rate", grid: true},
    y: {label: null, axis: null},
    fy: {label: null},
    color: {legend: true},
    marks: [Plot.barX(rows, {y: "side", fy: "evaluator", x: "rate", fill: "side"}), Plot.ruleX([0])]
  });
  return el(
    "div",
    null,
    otherDatasets
      ? el(
          "p",
          {class: "pl-bad-text"},
          "These experiments ran different datasets: only cases with the same id are paired."
        )
      : null,
    el("h2", null, `${c.b} against ${c.a}: ${c.cases.length} cases`),
    table(
      {class: "pl-cal-table pl-exp-evaluators"},
      ["Evaluator", "A pass", "B pass", "B − A", "Regressed", "Improved", "p (exact McNemar, two-sided)", "Unpaired"],
      c.evaluators.map((e) => ({
        props: {attrs: {"data-evaluator": e.evaluator}},
        cells: [
          e.evaluator,
          `${e.a.pass}/${e.paired} (${percent(e.a.rate, 0)})`,
          `${e.b.pass}/${e.paired} (${percent(e.b.rate, 0)})`,
          signed(e.difference),
          String(e.regressed.length),
          String(e.improved.length),
          formatP(e.test.pTwoSided),
          String(e.unpaired)
        ]
      }))
    ),
    chart,
    el("h3", null, "Cost and latency"),
    table(
      {class: "pl-cal-table pl-exp-spend"},
      ["", "Cases", "Errors", "Total cost", "Mean cost", "Mean latency", "p50", "p95"],
      (["a", "b"] as const).map((k) => {
        const s = c.spend[k];
        return {
          props: {attrs: {"data-side": k}},
          cells: [
            `${k.toUpperCase()} ${c[k]}`,
            String(s.cases),
            String(s.errors),
            money(s.totalCostUsd),
            money(s.meanCostUsd),
            ms(s.meanLatencyMs),
            ms(s.p50LatencyMs),
            ms(s.p95LatencyMs)
          ]
        };
      })
    ),
    el("h3", null, "Cases"),
    el("div", {class: "pl-exp-cases"}, ...c.cases.map((x) => caseView(x, c)))
  );
}

function sideView(label: string, side: SideCase | null): HTMLElement {
  if (!side)
    return el("div", {class: "pl-exp-side"}, el("strong", null, label), el("div", {class: "pl-muted"}, "not run"));
  return el(
    "div",
    {class: "pl-exp-side"},
    el("strong", null, label),
    el(
      "div",
      {class: "pl-exp-verdicts"},
      ...Object.entries(side.verdicts).map(([id, v]) =>
        el("span", {class: `pl-chip ${v === "pass" ? "pl-good" : "pl-bad"}`}, `${id}: ${v}`)
      )
    ),
    side.error !== null
      ? el("pre", {class: "pl-exp-text pl-bad-text"}, `error: ${side.error}`)
      : el("pre", {class: "pl-exp-text"}, side.output ?? "")
  );
}

function caseView(x: CaseComparison, c: Comparison): HTMLElement {
  const moved = x.regressed.length ? "regressed" : x.improved.length ? "improved" : "stayed";
  return el(
    "details",
    {class: `pl-exp-case pl-exp-${moved}`, attrs: {"data-case": x.caseId, "data-moved": moved}},
    el(
      "summary",
      null,
      el("code", null, x.caseId),
      ` ${moved}`,
      x.regressed.length ? ` on ${x.regressed.join(", ")}` : x.improved.length ? ` on ${x.improved.join(", ")}` : ""
    ),
    el("pre", {class: "pl-exp-text pl-exp-input"}, x.input),
    el("div", {class: "pl-exp-sides"}, sideView(`A ${c.a}`, x.a), sideView(`B ${c.b}`, x.b))
  );
}
