/**
 * @module The suite page's view, read-only: the latest gate run (its verdict and the failure modes that blocked it,
 * each evaluator's role, pass rate against its threshold, raw failure rate beside the corrected one with its
 * interval), failure-mode coverage with the uncovered modes and why, every spec's recorded calibration (matrix,
 * MCC, whether it belongs to the spec's current version), and the earlier runs. Names come from spec files and the
 * registry, so everything is set as text.
 */
import {
  correctedText,
  extraWarnings,
  formatP,
  percent,
  policyText,
  statusText,
  transitionText
} from "../core/gate/format.js";
import type {RunLine, SuitePageData} from "../core/gate/pageData.js";
import type {GateEvaluator, GateRun} from "../core/schemas/gateReport.js";
import type * as PlotModule from "@observablehq/plot";
import {cell, el, table} from "./dom.js";

type Plot = typeof PlotModule;

const OUTCOME: Record<GateEvaluator["outcome"], [string, string]> = {
  blocked: ["blocked", "pl-bad"],
  error: ["no verdict", "pl-bad"],
  warned: ["below threshold, reports only", "pl-warn"],
  passed: ["passed", "pl-good"],
  skipped: ["skipped", ""]
};

const when = (iso: string) => iso.replace("T", " ").slice(0, 16) + " UTC";

function badge(text: string, tone: string): HTMLElement {
  return el("span", {class: `pl-badge ${tone}`}, text);
}

/** `Plot` draws pass rate over the gate runs; without it the runs are listed as a table alone. */
export function suiteView(data: SuitePageData, Plot?: Plot): HTMLElement {
  const root = el("div", {class: "pl-suite"});
  for (const problem of data.problems) root.append(el("p", {class: "pl-cal-note"}, problem));
  const run = data.latest;
  if (!run) {
    root.append(
      el(
        "p",
        {class: "pl-muted"},
        "No gate run in this workspace yet. Run ",
        el("code", null, "plumbline gate --suite evaluators/ --traces <file> --workspace <this workspace>"),
        "."
      )
    );
    return root;
  }
  root.append(verdict(run), evaluatorTable(run));
  if (run.baseline) root.append(baselineSection(run));
  if (run.transitions?.length) root.append(transitionList(run));
  root.append(coverage(run), calibrations(run));
  if (Plot) root.append(passRateChart(data.runs, Plot));
  root.append(history(data.runs));
  return root;
}

function verdict(run: GateRun): HTMLElement {
  const c = run.candidate;
  const box = el(
    "section",
    {class: `pl-suite-verdict ${run.blocked ? "pl-suite-blocked" : "pl-suite-passed"}`},
    el("h2", null, run.blocked ? "Blocked" : "Passed", el("span", {class: "pl-muted"}, ` · ${run.label}`)),
    el(
      "p",
      {class: "pl-muted"},
      `${when(run.at)} · ${c.traces} traces from ${c.kind} ${c.name}${c.version ? `@${c.version}` : ""}` +
        `${c.rejected ? ` (${c.rejected} records rejected)` : ""} · suite ${run.suite} · run ${run.runId}`
    ),
    el("p", {class: "pl-muted pl-suite-policy"}, `Trust policy ${policyText(run)}.`)
  );
  if (run.blocked) {
    box.append(
      el(
        "p",
        null,
        "Blocked by ",
        ...run.blockedBy.flatMap((b, i) => [
          i ? ", " : "",
          el("strong", {class: "pl-suite-mode"}, b.failureMode),
          ` (${b.evaluators.join(", ")})`
        ])
      )
    );
  } else {
    box.append(el("p", null, "No evaluator trusted to block is below its threshold."));
  }
  return box;
}

function evaluatorTable(run: GateRun): HTMLElement {
  const head = [
    "Evaluator",
    "Failure mode",
    "Role",
    "Outcome",
    "Pass rate",
    "Threshold",
    "Failure rate",
    "Corrected [95 %]",
    "Traces judged",
    "Errors"
  ];
  return el(
    "section",
    null,
    el("h3", null, "Evaluators in the latest run"),
    table(
      {class: "pl-cal-table pl-suite-evaluators"},
      head,
      run.evaluators.map((e) => {
        const [text, tone] = OUTCOME[e.outcome];
        return {
          props: {attrs: {"data-evaluator": e.id, "data-outcome": e.outcome}},
          cells: [
            cell({class: "pl-mono"}, e.id),
            e.failureMode,
            cell(
              null,
              // The same words the gate prints, then the figures they rest on.
              e.role === "skipped" ? `skipped: ${statusText(e)}` : statusText(e),
              el("div", {class: "pl-muted"}, e.reason),
              ...extraWarnings(e).map((w) => el("div", {class: "pl-muted pl-suite-warning"}, `warning: ${w}`))
            ),
            badge(text, tone),
            cell({class: "pl-num"}, percent(e.passRate)),
            cell({class: "pl-num"}, `${percent(e.minPassRate)}${e.thresholdFrom === "spec" ? " (spec)" : ""}`),
            cell({class: "pl-num"}, percent(e.failRate)),
            cell({class: "pl-num pl-suite-corrected"}, correctedText(e)),
            cell({class: "pl-num"}, e.counts ? e.counts.pass + e.counts.fail : "—"),
            cell({class: "pl-num"}, e.counts?.errors || "")
          ]
        };
      })
    )
  );
}

function coverage(run: GateRun): HTMLElement {
  const c = run.coverage;
  const uncovered = c.modes.filter((m) => !m.covered);
  return el(
    "section",
    {class: "pl-suite-coverage"},
    el(
      "h3",
      null,
      `Coverage: ${c.covered} of ${c.active} active failure modes (${percent(c.share, 0)}) have a trusted evaluator`
    ),
    c.registry
      ? null
      : el(
          "p",
          {class: "pl-muted"},
          "This run read no failure-mode registry: only the modes the suite's specs name count."
        ),
    el("progress", {attrs: {max: String(Math.max(1, c.active)), value: String(c.covered), "aria-label": "coverage"}}),
    uncovered.length
      ? el(
          "div",
          null,
          el("h4", null, `Uncovered (${uncovered.length})`),
          el(
            "ul",
            {class: "pl-suite-uncovered"},
            ...uncovered.map((m) =>
              el(
                "li",
                {attrs: {"data-mode": m.name}},
                el("strong", null, m.name),
                m.state ? ` (${m.state})` : "",
                ": ",
                el("span", {class: "pl-muted"}, m.why)
              )
            )
          )
        )
      : el("p", null, "Every active failure mode has a trusted evaluator."),
    el("h4", null, "Covered"),
    el(
      "ul",
      {class: "pl-suite-covered"},
      ...c.modes
        .filter((m) => m.covered)
        .map((m) => el("li", null, el("strong", null, m.name), ` by ${m.evaluators.join(", ")}`))
    )
  );
}

function matrix(e: GateEvaluator): HTMLElement {
  const m = e.calibration!.confusion;
  const cell = (name: string, n: number) => el("td", {class: `pl-num pl-cal-${name}`, attrs: {"data-cell": name}}, n);
  return el(
    "table",
    {class: "pl-cal-matrix pl-suite-matrix"},
    el(
      "thead",
      null,
      el("tr", null, el("th", null, ""), el("th", null, "evaluator: fail"), el("th", null, "evaluator: pass"))
    ),
    el(
      "tbody",
      null,
      el("tr", null, el("th", null, "human: fail"), cell("tp", m.tp), cell("fn", m.fn)),
      el("tr", null, el("th", null, "human: pass"), cell("fp", m.fp), cell("tn", m.tn))
    )
  );
}

function calibrations(run: GateRun): HTMLElement {
  return el(
    "section",
    null,
    el("h3", null, "Recorded calibration of every spec"),
    el(
      "div",
      {class: "pl-suite-specs"},
      ...run.evaluators.map((e) => {
        const cal = e.calibration;
        const box = el(
          "div",
          {class: "pl-suite-spec", attrs: {"data-spec": e.id}},
          el("h4", null, e.id, el("span", {class: "pl-muted"}, ` · ${e.kind} · ${e.file}`)),
          el("p", {class: "pl-mono"}, `version ${e.evaluatorVersion}`)
        );
        if (!cal) {
          box.append(el("p", {class: "pl-muted"}, "No calibration recorded: uncalibrated, never run by the gate."));
          return box;
        }
        const n = cal.confusion.tp + cal.confusion.fp + cal.confusion.fn + cal.confusion.tn;
        const mcc = cal.mcc === null ? `undefined (${cal.mccUndefined ?? "no reason recorded"})` : cal.mcc.toFixed(3);
        const interval = cal.mccInterval ? ` [${cal.mccInterval[0].toFixed(3)}, ${cal.mccInterval[1].toFixed(3)}]` : "";
        box.append(
          el(
            "p",
            {class: "pl-suite-version"},
            e.versionMatch
              ? badge("matches the current version", "pl-good")
              : badge(`measured on ${cal.evaluatorVersion}, an older version: uncalibrated`, "pl-bad")
          ),
          matrix(e),
          el(
            "p",
            {class: "pl-suite-mcc"},
            `MCC ${mcc}${interval} · n ${n} · ${cal.split} labels · criterion ${cal.criterion}`
          ),
          el(
            "p",
            {class: "pl-muted"},
            `${cal.labels} · measured ${when(cal.measuredAt)}${cal.labelSet ? ` · label set ${cal.labelSet}` : ""}`
          )
        );
        // Newer labels disagree with the figures the role was decided on: the gate said so, and so does the page.
        if (e.labelDrift) box.append(el("p", {class: "pl-suite-drift"}, badge(e.labelDrift, "pl-bad")));
        return box;
      })
    )
  );
}

/**
 * Pass rate of each evaluator over the gate runs, oldest on the left, each run numbered in order (runs can be
 * seconds or months apart, so their order reads better than a time axis), with the threshold each run applied
 * as a tick. Evaluator ids come from spec files: Plot sets legend entries and titles as text.
 */
export function passRateChart(runs: readonly RunLine[], Plot: Plot): HTMLElement {
  const ordered = [...runs].reverse();
  const points = ordered.flatMap((r, i) =>
    r.passRates.flatMap((p) =>
      p.passRate === null
        ? []
        : [
            {
              run: i + 1,
              evaluator: p.evaluator,
              passRate: p.passRate,
              minPassRate: p.minPassRate,
              title: `${r.label} · ${when(r.at)}\n${p.evaluator} ${p.version}: ${percent(p.passRate)} passed, threshold ${percent(p.minPassRate)}`
            }
          ]
    )
  );
  const section = el("section", {class: "pl-suite-trend"}, el("h3", null, "Pass rate over gate runs"));
  if (!points.length) {
    section.append(el("p", {class: "pl-muted"}, "No run has a pass rate yet."));
    return section;
  }
  section.append(
    el(
      "p",
      {class: "pl-muted"},
      "Each dot is an evaluator's pass rate in one run; a dash is the threshold that run applied. Point at a dot for the run and the evaluator's version."
    ),
    Plot.plot({
      height: 220,
      marginLeft: 48,
      x: {label: "gate run (1 = oldest shown)", ticks: Math.min(ordered.length, 10), tickFormat: "d", inset: 16},
      y: {label: "pass rate (%)", percent: true, domain: [0, 1], grid: true},
      color: {legend: true, label: "evaluator"},
      marks: [
        Plot.tickY(points, {x: "run", y: "minPassRate", stroke: "evaluator", strokeDasharray: "3 2"}),
        Plot.line(points, {x: "run", y: "passRate", stroke: "evaluator", z: "evaluator"}),
        Plot.dot(points, {x: "run", y: "passRate", fill: "evaluator", r: 4, title: "title"})
      ]
    })
  );
  return section;
}

function history(runs: RunLine[]): HTMLElement {
  return el(
    "section",
    null,
    el("h3", null, "Gate runs, newest first"),
    table(
      {class: "pl-cal-table pl-suite-runs"},
      ["When", "Candidate", "Verdict", "Blocked by", "Traces", "Evaluators run", "Coverage"],
      runs.map((r) => ({
        props: {attrs: {"data-run": r.runId}},
        cells: [
          cell({class: "pl-mono"}, when(r.at)),
          r.label,
          r.blocked ? badge("blocked", "pl-bad") : badge("passed", "pl-good"),
          r.blockedBy.join(", "),
          cell({class: "pl-num"}, r.traces),
          cell({class: "pl-num"}, `${r.ran} of ${r.evaluators}`),
          cell({class: "pl-num"}, percent(r.coverage, 0))
        ]
      }))
    )
  );
}

/** Each evaluator against the baseline experiment: both pass rates, the test, and the cases that regressed. */
function baselineSection(run: GateRun): HTMLElement {
  const b = run.baseline!;
  return el(
    "section",
    {class: "pl-suite-baseline"},
    el("h3", null, `Against the baseline experiment ${b.experiment}`),
    el("p", {class: "pl-muted"}, `Same cases, one-sided exact McNemar test at α = ${b.alpha}.`),
    el(
      "ul",
      null,
      ...run.evaluators
        .filter((e) => e.baseline)
        .map((e) => {
          const x = e.baseline!;
          return el(
            "li",
            {attrs: {"data-evaluator": e.id}},
            el("strong", null, e.id),
            `: ${percent(x.passRate)} → ${percent(x.candidatePassRate)} on ${x.paired} cases; ${x.regressed.length} regressed, ${x.improved} improved, p = ${formatP(x.pWorse)}`,
            x.significant ? el("span", {class: "pl-badge pl-bad"}, "significantly worse") : null,
            x.regressed.length ? el("div", {class: "pl-muted"}, `regressed: ${x.regressed.join(", ")}`) : null
          );
        })
    )
  );
}

/** What the run found per covered failure mode: still failing, regressed (moved), proposed resolved, passing. */
function transitionList(run: GateRun): HTMLElement {
  const tone = {"still-failing": "pl-bad", regressed: "pl-bad", "proposed-resolved": "pl-good", passing: ""} as const;
  return el(
    "section",
    {class: "pl-suite-transitions"},
    el("h3", null, "Failure modes in this run"),
    el(
      "ul",
      null,
      ...run.transitions!.map((t) =>
        el(
          "li",
          {attrs: {"data-mode": t.failureMode}},
          el("span", {class: `pl-badge ${tone[t.kind]}`}, t.kind.replace(/-/g, " ")),
          " ",
          el("strong", null, t.failureMode),
          `: ${transitionText(t)}`
        )
      )
    )
  );
}
