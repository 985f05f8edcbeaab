/**
 * @module `plumbline calibrate`: import judgment sets, report judge-vs-human agreement, refresh specs' calibration
 * blocks from the current labels, export aligned labels.
 */
import {relative, resolve} from "node:path";
import {valueOr, type Metric} from "../../src/core/calibration/metric.js";
import {DEFAULT_DRAWS} from "../../src/core/calibration/posterior.js";
import {trustText, type TrustPolicy} from "../../src/core/calibration/trust.js";
import type {MetricWithInterval} from "../../src/core/calibration/report.js";
import {readCalibrationData} from "../calibration/calibrationData.js";
import {
  DEFAULT_NULL_RULE,
  importJudgmentSet,
  importLabelsFile,
  quarantineLines,
  SET_FORMATS,
  type SetFormat,
  type SetImportOptions
} from "../calibration/importSet.js";
import {NULL_RULES, type JudgmentSetStats, type NullRule} from "../../src/core/calibration/judgmentSetStats.js";
import type {ImportSummary} from "../store/importedJudgments.js";
import {noFiguresReason} from "../../src/core/calibration/noFigures.js";
import {tableExists, withConnection, withReadConnection, workspaceDir} from "../store/db.js";
import {exportAligned, readDraftedLeftOut} from "../store/calibration.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {TRUST_HELP, TRUST_OPTIONS, trustPolicyOf} from "./trustOption.js";
import type {Command, Io} from "./command.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import {sampleSize, specTrustStatus} from "../../src/core/calibration/specCalibration.js";
import type {SpecCalibration} from "../../src/core/schemas/evaluator.js";
import {inSampleTraces, type InSampleTraces} from "../calibration/inSample.js";
import {updateCalibration, type UpdateOutcome} from "../calibration/updateCalibration.js";
import {loadSuite} from "../gate/suite.js";
import {EVALUATORS_DIR, loadSpec, SpecError, type LoadedSpec} from "../judge/specFile.js";

const help = `Usage: plumbline calibrate <subcommand> [options]

Compares LLM-judge verdicts with human labels: confusion matrix, accuracy, TPR/TNR, precision, F1, Cohen's kappa
and MCC with 95 % intervals, per evaluator version and per annotator, and the gate status each MCC implies
(MCC ≥ 0.6 blocks, 0.4–0.6 reports, below 0.4 not trusted; under the default --trust interval, blocking also
needs the interval's lower bound ≥ 0.4 and 20 human labels of each class). The positive class is fail.
Intervals: Wilson for the rates (accuracy, TPR, TNR, precision); for MCC, kappa, F1 and balanced accuracy, the
2.5–97.5 % quantiles over draws from the four cells' Dirichlet posterior (Jeffreys' prior, 0.5 a cell), which
stay wide where few labels leave the figure uncertain.

Traces an evaluator was learned from (the spec's calibration.train.traceIds, written by \`plumbline generate\`)
are never evidence: the figures leave them out, and the report shows them apart, marked in-sample.

Subcommands:
  import pandalm <folder>    import PandaLM's test set (three annotators, gpt-3.5-turbo and PandaLM-7B)
  import llmbar <folder>     import an LLMBar subset folder (Natural/, Adversarial/Neighbor/, …); each subset is a
                             set of its own, named llmbar-<folder>
  import labels <file>       import annotators' labels and judges' verdicts from a .csv or .jsonl file, one label a
                             row: item, criterion, annotator or judge, verdict (pass or fail), optional text;
                             one set per criterion, no trace files needed
  report                     print each evaluator's calibration
  update                     write (or refresh) each spec's calibration block from the current labels: its current
                             version's verdicts against the ground truth as it is now, without the traces it learned
                             from; each update is kept as a snapshot in the workspace (the Calibration page's MCC
                             over time). Needs the verdicts of the spec's current version (plumbline judge run).
  export --out <file>        write the aligned judge and human labels side by side (.csv or .parquet); rows of
                             traces the evaluator learned from are marked in_sample

Import options:
  --name <name>        the set's name (default: llmbar-<folder>, pandalm, or the labels file's name); importing
                       a set of the same name again replaces it, and only it
  --null-as <rule>     how a judge's unreadable answer counts in the set's figures: wrong (in n, a disagreement),
                       missing (left out of n) or tie (PandaLM only). Default: the source's own rule, wrong for
                       LLMBar and labels files, tie for PandaLM. In the pass/fail view it is always an error.

Options:
  --evaluator <id>     report, update or export this evaluator only
  --suite <dir>        the evaluator specs (default evaluators/): whose in-sample traces to leave out, and which
                       files update writes
  --format <csv|parquet>  export format (default: from the --out extension)
  --resamples <n>      posterior draws for the intervals (default 4000)
  --seed <n>           seed of the draws (default 1)
${TRUST_HELP}
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --json               print the report as JSON
  -h, --help           show this help

Examples:
  plumbline calibrate import pandalm data/demo/pandalm
  plumbline calibrate import llmbar data/demo/llmbar/Natural
  plumbline calibrate import labels annotations.csv --name my-failure-modes
  plumbline calibrate report

Example, after labelling more traces:
  plumbline judge run --evaluator tool-error-not-recovered
  plumbline calibrate update --evaluator tool-error-not-recovered`;

const mccValue = (e: {current: {report: {metrics: {mcc: MetricWithInterval}}}}) => {
  const m = e.current.report.metrics.mcc.metric;
  return "value" in m ? m.value : -Infinity;
};
const fmt = (m: Metric, digits = 3) => ("value" in m ? m.value.toFixed(digits) : "undefined");
/** "0.620 [0.34, 0.78]", with the share of draws left out as undefined when there were any. */
const withInterval = (m: MetricWithInterval) => {
  const i = m.interval;
  if (!("low" in i)) return fmt(m.metric);
  const left = i.undefinedShare ? ` (${(i.undefinedShare * 100).toFixed(0)} % of draws undefined, left out)` : "";
  return `${fmt(m.metric)} [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]${left}`;
};

export const command: Command = {
  name: "calibrate",
  summary: "compare judge verdicts with human labels; import and export judgment sets",
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    const {values, positionals} = parseVerbArgs("calibrate", {
      args: rest,
      allowPositionals: true,
      options: {
        evaluator: {type: "string"},
        out: {type: "string"},
        format: {type: "string"},
        resamples: {type: "string"},
        seed: {type: "string"},
        workspace: {type: "string"},
        suite: {type: "string"},
        name: {type: "string"},
        "null-as": {type: "string"},
        json: {type: "boolean", default: false},
        ...TRUST_OPTIONS
      }
    });
    const workspace = values.workspace ?? workspaceDir(io.env);
    if (sub === "import") {
      const nullAs = values["null-as"];
      if (nullAs !== undefined && !(NULL_RULES as readonly string[]).includes(nullAs))
        throw usageError(`invalid --null-as ${nullAs}: give ${NULL_RULES.join(", ")}`, "calibrate");
      if (values.name !== undefined && !/^[A-Za-z0-9][\w.-]*$/.test(values.name))
        throw usageError(`invalid --name ${values.name}: use letters, digits, '.', '_' and '-'`, "calibrate");
      return await runImport(
        positionals,
        workspace,
        {...(values.name ? {name: values.name} : {}), ...(nullAs ? {nullAs: nullAs as NullRule} : {})},
        io
      );
    }
    if (sub === "report" || sub === "update") {
      const resamples = values.resamples === undefined ? DEFAULT_DRAWS : Number(values.resamples);
      const trust = trustPolicyOf(values.trust, values["min-per-class"], "calibrate");
      const seed = values.seed === undefined ? 1 : Number(values.seed);
      if (!Number.isInteger(resamples) || resamples < 1)
        throw usageError(`invalid --resamples: ${values.resamples}`, "calibrate");
      if (!Number.isInteger(seed)) throw usageError(`invalid --seed: ${values.seed}`, "calibrate");
      const suiteDir = values.suite ? resolve(values.suite) : EVALUATORS_DIR;
      if (sub === "update")
        return await runUpdate(workspace, suiteDir, {resamples, seed, evaluatorId: values.evaluator}, values.json, io);
      return await runReport(
        workspace,
        {
          resamples,
          seed,
          trust,
          inSample: inSampleTraces(loadSuite(suiteDir).specs),
          ...(values.evaluator ? {evaluatorId: values.evaluator} : {})
        },
        values.json,
        io
      );
    }
    if (sub === "export") {
      if (!values.out) throw usageError("name the file to write: --out <file.csv|file.parquet>", "calibrate");
      const format =
        values.format ??
        (values.out.endsWith(".parquet") ? "parquet" : values.out.endsWith(".csv") ? "csv" : undefined);
      if (format !== "csv" && format !== "parquet")
        throw usageError("give --format csv or parquet, or an --out ending in .csv or .parquet", "calibrate");
      const out = resolve(values.out);
      const learned = inSampleTraces(loadSuite(values.suite ? resolve(values.suite) : EVALUATORS_DIR).specs);
      const rows = await withReadConnection(workspace, async (connection) => {
        if (!(await tableExists(connection, "judge_verdicts")))
          throw new CliError(
            "this workspace has no judge verdicts yet; run `plumbline judge run` or `plumbline calibrate import` first"
          );
        const written = await exportAligned(connection, out, format, values.evaluator, learned);
        const drafted = (await readDraftedLeftOut(connection, values.evaluator)).reduce((n, d) => n + d.traces, 0);
        return {written, drafted};
      });
      io.out(
        `wrote ${rows.written} aligned judge and human labels to ${out}` +
          (rows.drafted ? `; left out ${rows.drafted} labelled by accepting the same evaluator's draft` : "")
      );
      return 0;
    }
    throw usageError(
      sub === undefined ? "name a subcommand: import, report, update or export" : `unknown subcommand: ${sub}`,
      "calibrate"
    );
  }
};

async function runImport(positionals: string[], workspace: string, options: SetImportOptions, io: Io): Promise<number> {
  const [format, source] = positionals;
  if (!format || !source)
    throw usageError(
      "usage: plumbline calibrate import <pandalm|llmbar> <folder> or import labels <file>",
      "calibrate"
    );
  if (!(SET_FORMATS as readonly string[]).includes(format))
    throw usageError(`unknown format ${format}; known: ${SET_FORMATS.join(", ")}`, "calibrate");
  if (format === "labels") return await runLabelsImport(resolve(source), workspace, options, io);
  const summary = await withConnection(workspace, (connection) =>
    importJudgmentSet(connection, format as Exclude<SetFormat, "labels">, resolve(source), options)
  );
  await afterWorkspaceChange(workspace);
  for (const r of summary.rejected.slice(0, 20)) io.err(`${r.file}:[${r.index}]: ${r.reason}`);
  if (summary.rejected.length > 20) io.err(`… and ${summary.rejected.length - 20} more rejected records`);
  io.out(
    [
      ...setLines(summary, format as SetFormat, ""),
      "see the figures with `plumbline calibrate report` or on the Calibration page (`npm start`)"
    ].join("\n")
  );
  return summary.rejected.length ? 1 : 0;
}

/** What one imported set holds, and the rule its figures count unreadable answers by. */
function setLines(summary: ImportSummary, format: SetFormat, indent: string): string[] {
  const rule =
    summary.nullAs !== DEFAULT_NULL_RULE[format]
      ? summary.nullAs
      : format === "labels"
        ? `${summary.nullAs}, the default`
        : `${summary.nullAs}, the source's own rule`;
  return [
    `${indent}imported ${summary.dataset}: ${summary.items} items, ${summary.groundTruth} with a pass/fail ground truth, ${summary.humanLabels} annotator labels`,
    ...summary.verdicts.map(
      (v) =>
        `${indent}  ${v.evaluatorId} ${v.evaluatorVersion}: ${v.fail} fail, ${v.pass} pass, ${v.errors} unreadable answers (errors), ${v.leftOut} ties left out`
    ),
    ...(summary.verdicts.length ? [`${indent}  unreadable answers in the set's figures: ${rule}`] : []),
    ...(summary.nonFinite
      ? [`${indent}  ${summary.nonFinite} NaN or Infinity values in the source files, read as missing`]
      : [])
  ];
}

async function runLabelsImport(file: string, workspace: string, options: SetImportOptions, io: Io): Promise<number> {
  const now = options.now ?? new Date();
  const result = await withConnection(workspace, (connection) => importLabelsFile(connection, file, options));
  await afterWorkspaceChange(workspace);
  for (const r of result.rejected.slice(0, 20)) io.err(`${file}:${r.line}: ${r.reason}`);
  if (result.rejected.length > 20) io.err(`… and ${result.rejected.length - 20} more rejected lines`);
  const quarantine = result.rejected.length ? quarantineLines(workspace, file, result.rejected, now) : null;
  io.out(
    [
      `imported labels ${result.name} from ${file}: ${result.rows - result.rejected.length} of ${result.rows} rows, ${result.sets.length} ${result.sets.length === 1 ? "criterion" : "criteria"}`,
      ...(quarantine ? [`  ${result.rejected.length} rejected lines written to ${quarantine}`] : []),
      ...(result.nonFinite ? [`  ${result.nonFinite} NaN or Infinity values read as missing`] : []),
      ...result.sets.flatMap((s) => setLines({...s, nonFinite: 0}, "labels", "  ")),
      result.sets.length
        ? "see the figures with `plumbline calibrate report` or on the Calibration page (`npm start`)"
        : "nothing imported: see the reasons above, fix the file and import it again"
    ].join("\n")
  );
  return result.rejected.length ? 1 : 0;
}

async function runUpdate(
  workspace: string,
  suiteDir: string,
  options: {resamples: number; seed: number; evaluatorId: string | undefined},
  json: boolean,
  io: Io
): Promise<number> {
  let specs: LoadedSpec[];
  if (options.evaluatorId) {
    try {
      specs = [loadSpec(options.evaluatorId, suiteDir)];
    } catch (error) {
      if (error instanceof SpecError) throw new CliError(error.message);
      throw error;
    }
  } else {
    const suite = loadSuite(suiteDir);
    for (const problem of suite.problems) io.err(`skipped: ${problem}`);
    specs = suite.specs;
  }
  const now = new Date();
  const results = await withConnection(workspace, async (connection) => {
    const hasVerdicts = await tableExists(connection, "judge_verdicts");
    const out = [];
    for (const loaded of specs) {
      const outcome: UpdateOutcome = hasVerdicts
        ? await updateCalibration(connection, loaded, {
            workspace,
            now,
            resamples: options.resamples,
            seed: options.seed
          })
        : {
            kind: "no-verdicts",
            hint: `no verdicts in the workspace yet: run \`plumbline judge run --evaluator ${loaded.spec.id}\` first`
          };
      out.push({loaded, outcome});
    }
    return out;
  });
  if (results.some((r) => r.outcome.kind === "updated")) await afterWorkspaceChange(workspace);
  if (json) {
    io.out(
      JSON.stringify(
        results.map(({loaded, outcome}) => ({
          id: loaded.spec.id,
          path: loaded.path,
          version: loaded.version,
          ...outcome
        })),
        null,
        2
      )
    );
  } else {
    const lines: string[] = [];
    for (const {loaded, outcome} of results) {
      const head = `${loaded.spec.id} ${loaded.version}`;
      if (outcome.kind === "no-verdicts" || outcome.kind === "no-labels") {
        lines.push(`${head}: not updated; ${outcome.hint}`);
        continue;
      }
      if (outcome.kind === "current") {
        lines.push(
          `${head}: already current (${figures(outcome.calibration)}, labels ${outcome.calibration.labelSet})`
        );
        continue;
      }
      const c = outcome.calibration;
      const inSample = sampleSize(outcome.inSample);
      lines.push(
        `${head} → ${displayPath(loaded.path)}`,
        `  ${figures(c)}, tp ${c.confusion.tp} fp ${c.confusion.fp} fn ${c.confusion.fn} tn ${c.confusion.tn}; gate: ${specTrustStatus(c, loaded.version).status}`,
        `  labels ${c.labelSet}` +
          (inSample
            ? `; in-sample (learned from, not counted): n ${inSample}, tp ${outcome.inSample.tp} fp ${outcome.inSample.fp} fn ${outcome.inSample.fn} tn ${outcome.inSample.tn}`
            : ""),
        ...(c.population
          ? [
              `  gated population (other failure modes as passes): tp ${c.population.tp} fp ${c.population.fp} fn ${c.population.fn} tn ${c.population.tn}`
            ]
          : []),
        ...(outcome.previous
          ? [
              `  was ${figures(outcome.previous)} (${outcome.previous.measuredAt.slice(0, 10)}, labels ${outcome.previous.labelSet ?? "unversioned"})`
            ]
          : [])
      );
    }
    io.out(lines.join("\n"));
  }
  const failed = results.filter((r) => r.outcome.kind === "no-verdicts" || r.outcome.kind === "no-labels");
  return failed.length && (options.evaluatorId || failed.length === results.length) ? 1 : 0;
}

function figures(c: SpecCalibration): string {
  const interval = c.mccInterval ? ` [${c.mccInterval[0].toFixed(2)}, ${c.mccInterval[1].toFixed(2)}]` : "";
  const mcc = c.mcc === null ? `undefined (${c.mccUndefined ?? "no reason recorded"})` : c.mcc.toFixed(3);
  return `${c.split} MCC ${mcc}${interval} on n ${sampleSize(c.confusion)}`;
}

async function runReport(
  workspace: string,
  options: {resamples: number; seed: number; trust: TrustPolicy; evaluatorId?: string; inSample: InSampleTraces},
  json: boolean,
  io: Io
): Promise<number> {
  const data = await withReadConnection(workspace, (connection) => readCalibrationData(connection, options));
  if (json) {
    const {aligned: _a, ...rest} = data;
    io.out(JSON.stringify(rest, null, 2));
    return 0;
  }
  if (!data.evaluators.length) {
    io.out(
      "no judge verdicts yet: run `plumbline judge run --evaluator <id>`, or import a judgment set with `plumbline calibrate import`"
    );
    return 0;
  }
  const lines: string[] = [];
  for (const e of data.evaluators) {
    lines.push(`${e.evaluatorId} (criterion ${e.criterion}; failure: ${e.failureMode})`);
    for (const v of e.versions) {
      const r = v.report;
      const current = v === e.current ? " (current)" : " (history)";
      lines.push(
        `  ${v.info.evaluatorVersion}${current}: n ${r.n} (${r.humanFail} human fail, ${r.humanPass} pass)  tp ${r.confusion.tp} fp ${r.confusion.fp} fn ${r.confusion.fn} tn ${r.confusion.tn}${v.info.errors ? `  errors ${v.info.errors} (unreadable answers, left out of n)` : ""}`
      );
      if (r.n === 0) {
        lines.push(`    uncalibrated: ${noFiguresReason(v)}`);
        continue;
      }
      const m = r.metrics;
      lines.push(
        `    MCC ${withInterval(m.mcc)}  kappa ${withInterval(m.kappa)}  accuracy ${fmt(m.accuracy.metric)}  balanced ${fmt(m.balancedAccuracy.metric)}`
      );
      lines.push(
        `    TPR ${fmt(m.tpr.metric)}  TNR ${fmt(m.tnr.metric)}  precision ${fmt(m.precision.metric)}  F1 ${fmt(m.f1.metric)}`
      );
      lines.push(`    gate: ${trustText(v.gate, valueOr(m.mcc.metric))} (${v.gate.reason})`);
      const learned = data.inSample.find(
        (x) => x.evaluatorId === e.evaluatorId && x.evaluatorVersion === v.info.evaluatorVersion
      );
      if (learned) {
        const c = learned.report.confusion;
        lines.push(
          `    in-sample (learned from, not counted): n ${learned.report.n}  tp ${c.tp} fp ${c.fp} fn ${c.fn} tn ${c.tn}  MCC ${fmt(learned.report.metrics.mcc.metric)}`
        );
      }
      const drafted = data.drafted.find(
        (x) => x.evaluatorId === e.evaluatorId && x.evaluatorVersion === v.info.evaluatorVersion
      );
      if (drafted)
        lines.push(
          `    accepted from its own drafts (not independent, not counted): ${drafted.traces} trace${drafted.traces === 1 ? "" : "s"}`
        );
      if (!v.gate.weakEvidence) for (const w of v.gate.warnings) lines.push(`    warning: ${w}`);
      const c = v.correction;
      if (c.unlabeled > 0) {
        lines.push(
          `    unlabeled traces: ${c.unlabeled}, judge fail rate ${fmt(c.observed)}, corrected ${"value" in c.corrected ? `${fmt(c.corrected)}${"low" in c.interval ? ` [${c.interval.low.toFixed(3)}, ${c.interval.high.toFixed(3)}]${c.interval.undefinedShare ? ` (${(c.interval.undefinedShare * 100).toFixed(0)} % of draws no better than chance, left out)` : ""}` : ""}` : `undefined (${c.corrected.undefined})`}`
        );
      }
    }
  }
  if (data.annotators.length) {
    lines.push("per annotator (their own labels against the current version):");
    for (const e of data.evaluators) {
      for (const a of data.annotators.filter(
        (x) => x.evaluatorId === e.evaluatorId && x.evaluatorVersion === e.current.info.evaluatorVersion
      )) {
        lines.push(
          `  ${e.evaluatorId} × ${a.annotator}: n ${a.report.n}  MCC ${withInterval(a.report.metrics.mcc)}  kappa ${fmt(a.report.metrics.kappa.metric)}`
        );
      }
    }
  }
  const criteria = [...new Set(data.evaluators.map((e) => e.criterion))].sort();
  if (criteria.length) {
    lines.push("by criterion (current versions; the best calibrated first):");
    for (const criterion of criteria) {
      const ranked = data.evaluators
        .filter((e) => e.criterion === criterion)
        .sort((a, b) => mccValue(b) - mccValue(a))
        .map((e) => `${e.evaluatorId} ${trustText(e.current.gate, valueOr(e.current.report.metrics.mcc.metric))}`);
      lines.push(`  ${criterion}: ${ranked.join(", ")}`);
    }
  }
  for (const s of data.judgmentSets) lines.push(...judgmentSetLines(s.dataset, s.stats));
  io.out(lines.join("\n"));
  return 0;
}

const RULE_TEXT: Record<NullRule, string> = {
  wrong: "counted as wrong",
  missing: "left out of n",
  tie: "counted as ties"
};

/** An imported set's figures over every class, the rule its unreadable answers follow, and its agreement. */
function judgmentSetLines(dataset: string, stats: JudgmentSetStats): string[] {
  const classes = stats.judges[0]?.matrix.length ?? 0;
  const lines = [
    `judgment set ${dataset}: ${stats.items} items, ${stats.withMajority} with a human majority (${classes} classes${classes === 3 ? ": 1, 2, tie" : ""}); unreadable answers ${RULE_TEXT[stats.nullAs]}`
  ];
  for (const j of stats.judges) {
    const a = j.agreement;
    lines.push(
      `  ${j.rater} vs majority: n ${a.n}  accuracy ${fmt(a.accuracy, 4)}  macro precision ${fmt(a.macroPrecision, 4)}  recall ${fmt(a.macroRecall, 4)}  F1 ${fmt(a.macroF1, 4)}  kappa ${fmt(a.kappa, 4)}  errors ${j.unreadable}`
    );
  }
  for (const o of stats.orders)
    lines.push(
      `  ${o.rater} in both orders: n ${o.n}  positional agreement ${fmt(o.agreement, 4)}  Cohen's kappa ${fmt(o.kappa, 4)}`
    );
  for (const p of stats.annotatorPairs) lines.push(`  ${p.a} vs ${p.b}: Cohen's kappa ${fmt(p.agreement.kappa, 4)}`);
  const all = stats.annotators;
  if (all)
    lines.push(
      `  all ${all.raters.length} annotators: Fleiss' kappa ${fmt(all.fleissKappa, 4)} (${all.complete} items labelled by all)  Krippendorff's alpha ${fmt(all.alpha, 4)}`
    );
  return lines;
}

/** A path under the working folder relative to it, any other absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
