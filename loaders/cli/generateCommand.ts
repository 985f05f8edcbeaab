/**
 * @module `plumbline generate`: an evaluator spec from the annotated traces of one failure mode. The labels are
 * split into training and held-out traces; a method (rule induction here) learns from the training split only,
 * and the held-out figures become the spec's calibration block. Of the workspace, only the review outcomes grow: the
 * failures the new or changed evaluator was made from are recorded as having led to it.
 */
import {existsSync} from "node:fs";
import {resolve} from "node:path";
import {splitExamples, type LabelledExample, type Split} from "../../src/core/generate/examples.js";
import {generateRuleSpec} from "../../src/core/generate/ruleSpec.js";
import {snapshotOf, specTrustStatus} from "../../src/core/calibration/specCalibration.js";
import {trustText} from "../../src/core/calibration/trust.js";
import type {Confusion} from "../../src/core/calibration/confusion.js";
import {compileRule} from "../../src/core/evaluator/rule.js";
import {ruleCounts} from "../../src/core/gate/ruleCounts.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {appendSnapshot, readLabelSet} from "../store/calibrationSnapshots.js";
import {readJudgeItems} from "../store/judgeItems.js";
import {EvaluatorSpecSchema, type EvaluatorSpecInput, type SpecCalibration} from "../../src/core/schemas/evaluator.js";
import {withConnection, withReadConnection, workspaceDir} from "../store/db.js";
import {recordOutcomes} from "../annotations/reviewOutcomes.js";
import {groupExpression, labelledFailureModes, readLabelledExamples} from "../store/labelledExamples.js";
import {EVALUATORS_DIR, loadSpec, SpecError, versionOf} from "../judge/specFile.js";
import {writeGeneratedSpec} from "../generate/writeSpec.js";
import {workspaceInSpec} from "../generate/labelsSource.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {TRUST_HELP, TRUST_OPTIONS, trustPolicyOf} from "./trustOption.js";
import type {Command, Io} from "./command.js";
import {onInterrupt} from "./interrupt.js";
import {progressBar} from "./progress.js";
import type {JudgeOptimization} from "../generate/judgeOptimizer.js";

const help = `Usage: plumbline generate --failure-mode <name> [options]

Generates an evaluator spec for one failure mode from the workspace's ground truth: traces that fail the
criterion with this failure mode are positives, traces that pass it are negatives. The labels are split (stratified,
by a seeded hash of the trace id) into training and held-out traces. The method learns from the training traces
only; the spec's calibration block records its confusion matrix and MCC on the held-out traces, with the MCC's
95 % Bayesian interval (Dirichlet posterior of the four cells, Jeffreys' prior), the label-set version they were
measured on and the training traces' ids (never counted as evidence by \`plumbline calibrate\`), and the figures
are kept as a snapshot in the workspace. The "gate:" line says what \`plumbline gate\` would make of those figures
under the same --trust policy: with few held-out labels an evaluator whose MCC would block often only "reports
(weak evidence: …)".

Method rule (rule induction): mines what separates failing from passing training traces (word n-grams in the
first, last or any message of each role, tool calls that are made, fail or repeat, span attribute values, trace
numbers and status), composes and/or rules of up to three checks, and keeps the one with the best training MCC;
the rule's size is chosen by cross-validation within the training traces. The rule is written as declarative
checks (contains, tool_call, jsonpath, threshold, status) that the rule runtime validates.

Method judge (reflective prompt evolution, as GEPA does): starts from a seed judge prompt, scores candidate
prompts on minibatches of training traces, asks an LLM to reflect on the judge's mistakes against the annotators'
explanations and propose an edited prompt, keeps a Pareto frontier of prompts across examples, and stops at the
call budget. The spec records the best prompt's held-out MCC next to the seed prompt's. It calls an
OpenAI-compatible endpoint (OPENAI_BASE_URL and OPENAI_API_KEY); the key is never printed or written.

The spec is written to <out-dir>/<id>.json. When a spec with that id exists and the new one decides differently,
the new one is its next minor version and names it in lineage.derivedFrom; the same rule keeps its version and
gets fresh calibration figures. A new or changed spec records the review outcome new_evaluator or
evaluator_updated for the failing traces it was made from (see plumbline review list).

Options:
  --failure-mode <name>   the failure mode, as annotators named it (required)
  --method <m>            rule (default) or judge
  --criterion <id>        the rubric criterion (default: the one most of the mode's failing labels are on)
  --others-as-pass        count traces failing the criterion with another failure mode as passes (default: left out)
  --id <id>               the spec id (default: the failure mode in lower-case-with-dashes)
  --held-out <share>      share of each class held out for the figures (default 0.3)
  --group-by <g>          split whole groups, so none is both learned from and measured on: session, or
                          metadata.<key> (e.g. metadata.task_id when each task was run several times)
  --seed <n>              seed of the split and of the judge method's sampling (default 1)
  --out-dir <dir>         where specs are written (default evaluators/)
  --workspace <dir>       the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --model <name>          judge: the judge model (default: $PLUMBLINE_JUDGE_MODEL, else gpt-4o-mini)
  --reflection-model <m>  judge: the model that reflects on the judge's mistakes (default: the judge model)
  --budget <n>            judge: most LLM calls in all, search and held-out figures included (default 400)
  --concurrency <n>       judge: calls in flight at once (default 4)
  --base-url <url>        judge: the endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)
  --api-key-env <name>    judge: the environment variable holding the key (default OPENAI_API_KEY)
${TRUST_HELP}
  --dry-run               print the spec instead of writing it
  --json                  print the result as JSON
  -h, --help              show this help

Exit status: 0 when a spec was generated, 1 when it could not be (too few labels, no separating feature),
2 on a usage error.`;

/** What a method gets: the labelled traces already split, and what the spec is about. */
export interface MethodInput {
  split: Split<LabelledExample>;
  id: string;
  failureMode: string;
  criterion: string;
  labels: string;
  measuredAt: string;
  seed: number;
  io: Io;
  /** Reports progress, drawn as a bar on a terminal. */
  progress: (done: number, total: number, detail: string) => void;
}

/** What a method gives back: a spec with its held-out calibration, and lines that describe how it was found. */
export interface MethodResult {
  spec: EvaluatorSpecInput & {calibration: SpecCalibration};
  summary: string[];
  details: Record<string, unknown>;
}

const methods: Record<string, (input: MethodInput) => Promise<MethodResult>> = {
  async rule(input) {
    const started = performance.now();
    const generated = generateRuleSpec(input.split, {...input, induction: {onProgress: input.progress}});
    const ms = performance.now() - started;
    const {rule} = generated;
    const calibration = generated.spec.calibration!;
    const fixed = (m: number | null | undefined) => (m == null ? "undefined" : m.toFixed(3));
    return {
      spec: {...generated.spec, calibration},
      summary: [
        `  rule: fails when ${rule.description}`,
        `  train MCC ${fixed(rule.trainMcc)} (${input.split.train.length} traces); best single feature held-out MCC ${fixed(calibration.baseline?.mcc)}`,
        `  ${rule.features.verified} features kept of ${rule.features.mined} mined, ${rule.candidatesConsidered} candidate rules scored, ` +
          (rule.crossValidation
            ? `size ${rule.crossValidation.terms} chosen by ${rule.crossValidation.folds}-fold cross-validation, `
            : "") +
          `${Math.round(ms)} ms`
      ],
      details: {
        description: rule.description,
        trainMcc: rule.trainMcc,
        trainConfusion: rule.trainConfusion,
        bestSingle: {
          description: rule.bestSingle.description,
          trainMcc: rule.bestSingle.trainMcc,
          heldOut: generated.baselineHeldOut
        },
        alternatives: rule.alternatives.map((a) => ({description: a.description, trainMcc: a.trainMcc})),
        features: rule.features,
        crossValidation: rule.crossValidation,
        candidatesConsidered: rule.candidatesConsidered,
        ms: Math.round(ms)
      }
    };
  }
};

/** Options only the judge method reads; `rule` ignores them. */
interface JudgeOptions {
  model?: string;
  reflectionModel?: string;
  budget?: number;
  concurrency?: number;
  baseURL?: string;
  apiKeyEnv?: string;
}

function judgeMethod(options: JudgeOptions): (input: MethodInput) => Promise<MethodResult> {
  return async (input) => {
    const {generateJudge, progressDetail} = await import("../generate/judgeOptimizer.js");
    const record: {optimization?: JudgeOptimization} = {};
    const controller = new AbortController();
    const release = onInterrupt({
      stop: () => controller.abort(),
      again: () => input.io.err("already stopping: the calls in flight are being cancelled")
    });
    try {
      const spec = await generateJudge({
        examples: input.split,
        failureMode: input.failureMode,
        criterion: input.criterion,
        id: input.id,
        labels: input.labels,
        seed: input.seed,
        env: input.io.env,
        signal: controller.signal,
        ...options,
        onProgress: (p) => input.progress(p.calls, p.budget, progressDetail(p)),
        onResult: (optimization) => (record.optimization = optimization)
      });
      const r = record.optimization;
      const fixed = (m: number | null | undefined) => (m == null ? "undefined" : m.toFixed(3));
      return {
        spec,
        summary: [
          `  judge: ${spec.judge.model}, prompt evolved from the seed (seed prompt held-out MCC ${fixed(spec.calibration.baseline?.mcc)})`,
          ...(r
            ? [
                `  ${r.calls.total} calls of a budget of ${r.budget} (judge ${r.calls.judge}, reflection ${r.calls.reflection}, held-out ${r.calls.heldOut}); ` +
                  `${r.candidates.length} prompts kept, ${r.errors.rejected} proposals rejected, ${r.errors.judge} judge calls failed; stopped: ${r.stopped}`
              ]
            : [])
        ],
        details: r
          ? {
              calls: r.calls,
              budget: r.budget,
              candidates: r.candidates.length,
              frontier: r.frontier,
              errors: r.errors,
              stopped: r.stopped,
              seedHeldOut: r.seedHeldOut,
              bestHeldOut: r.bestHeldOut
            }
          : {}
      };
    } finally {
      release();
    }
  };
}

/** "Tool error not recovered" → "tool-error-not-recovered". */
export function specIdOf(failureMode: string): string {
  const id = failureMode
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
    .slice(0, 100);
  return id || "generated";
}

/** A rule's confusion on the population the gate corrects: its held-out figures, and every other-mode failure as a pass. */
async function rulePopulation(
  connection: DuckDBConnection,
  spec: MethodResult["spec"],
  otherFailures: readonly string[]
): Promise<Confusion | undefined> {
  if (spec.kind !== "rule") return undefined;
  const parsed = EvaluatorSpecSchema.parse(spec);
  if (parsed.kind !== "rule") return undefined;
  const items = otherFailures.length ? await readJudgeItems(connection, {traceIds: [...otherFailures]}) : [];
  const others = ruleCounts(parsed.scope, compileRule(parsed.rule), items, 0);
  const c = spec.calibration.confusion;
  return {tp: c.tp, fn: c.fn, fp: c.fp + others.fail, tn: c.tn + others.pass};
}

export const command: Command = {
  name: "generate",
  summary: "generate an evaluator spec for a failure mode from its annotated traces",
  help,
  async run(args, io) {
    const {values} = parseVerbArgs("generate", {
      args,
      options: {
        "failure-mode": {type: "string"},
        method: {type: "string", default: "rule"},
        criterion: {type: "string"},
        model: {type: "string"},
        "reflection-model": {type: "string"},
        budget: {type: "string"},
        concurrency: {type: "string"},
        "base-url": {type: "string"},
        "api-key-env": {type: "string"},
        "others-as-pass": {type: "boolean", default: false},
        id: {type: "string"},
        "held-out": {type: "string", default: "0.3"},
        "group-by": {type: "string"},
        seed: {type: "string", default: "1"},
        "out-dir": {type: "string"},
        workspace: {type: "string"},
        "dry-run": {type: "boolean", default: false},
        json: {type: "boolean", default: false},
        ...TRUST_OPTIONS
      }
    });
    const trust = trustPolicyOf(values.trust, values["min-per-class"], "generate");
    const failureMode = values["failure-mode"];
    if (!failureMode) throw usageError("name the failure mode: --failure-mode <name>", "generate");
    const count = (name: "budget" | "concurrency") => {
      const value = values[name];
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw usageError(`invalid --${name}: ${value}`, "generate");
      return n;
    };
    const judgeOptions: JudgeOptions = {
      ...(values.model ? {model: values.model} : {}),
      ...(values["reflection-model"] ? {reflectionModel: values["reflection-model"]} : {}),
      ...(values["base-url"] ? {baseURL: values["base-url"]} : {}),
      ...(values["api-key-env"] ? {apiKeyEnv: values["api-key-env"]} : {}),
      ...(count("budget") ? {budget: count("budget")} : {}),
      ...(count("concurrency") ? {concurrency: count("concurrency")} : {})
    };
    const method = values.method === "judge" ? judgeMethod(judgeOptions) : methods[values.method];
    if (!method)
      throw usageError(
        `invalid --method: ${values.method} (choose ${[...Object.keys(methods), "judge"].join(", ")})`,
        "generate"
      );
    const heldOutShare = Number(values["held-out"]);
    if (!(heldOutShare > 0 && heldOutShare < 1))
      throw usageError(`invalid --held-out: ${values["held-out"]} (a share between 0 and 1)`, "generate");
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw usageError(`invalid --seed: ${values.seed}`, "generate");
    const id = values.id ?? specIdOf(failureMode);
    if (!EvaluatorSpecSchema.options[0].shape.id.safeParse(id).success)
      throw usageError(`invalid --id: ${id} (lower-case letters, digits, '.', '_' or '-')`, "generate");
    const workspace = values.workspace ?? workspaceDir(io.env);
    const outDir = values["out-dir"] ? resolve(values["out-dir"]) : EVALUATORS_DIR;

    const groupBy = values["group-by"];
    if (groupBy !== undefined) {
      try {
        groupExpression(groupBy);
      } catch (error) {
        throw usageError(`invalid --group-by: ${(error as Error).message}`, "generate");
      }
    }
    let known: {failureMode: string; traces: number}[] = [];
    const read = await withReadConnection(workspace, async (connection) => {
      const result = await readLabelledExamples(connection, {
        failureMode,
        ...(values.criterion ? {criterion: values.criterion} : {}),
        othersAsPass: values["others-as-pass"],
        ...(groupBy ? {groupBy} : {})
      });
      if (!result.examples.some((e) => e.outcome === "fail")) known = await labelledFailureModes(connection);
      const labelSet = result.criterion === null ? null : await readLabelSet(connection, result.criterion);
      return {...result, labelSet};
    });
    const {criterion, examples, skipped, labelSet} = read;
    const fails = examples.filter((e) => e.outcome === "fail").length;
    const passes = examples.length - fails;
    if (criterion === null || fails === 0) {
      throw new CliError(
        `no ground truth fails ${values.criterion ? `criterion ${values.criterion} ` : ""}with failure mode "${failureMode}"` +
          (known.length
            ? `; labelled failure modes: ${known.map((k) => `"${k.failureMode}" (${k.traces})`).join(", ")}`
            : "; annotate traces first (plumbline start, or plumbline feedback import)")
      );
    }
    if (fails < 2 || passes < 2) {
      throw new CliError(
        `"${failureMode}" on ${criterion} has ${fails} failing and ${passes} passing labelled traces; label at least 2 of each (more make better evaluators)`
      );
    }
    const split = splitExamples(examples, {heldOut: heldOutShare, seed});
    const labels =
      `${workspaceInSpec(workspace, PROJECT_ROOT)}: ground truth of "${criterion}", failure mode "${failureMode}", ${examples.length} traces (${fails} fail, ${passes} pass), seed ${seed}` +
      (groupBy ? `, split by ${groupBy}` : "");
    let result: MethodResult;
    const bar = progressBar("generate", process.stderr, "items");
    try {
      result = await method({
        split,
        id,
        failureMode,
        criterion,
        labels,
        measuredAt: new Date().toISOString(),
        seed,
        io,
        progress: (done, total, detail) => bar.update(done, total, detail)
      });
    } finally {
      bar.done();
    }

    // What later calibrations need of this one: the traces learned from (never evidence), the label set measured
    // on, and for a rule the gated population (held-out traces, plus those failing another mode, as passes).
    const population =
      result.spec.kind === "rule"
        ? await withReadConnection(workspace, (connection) =>
            rulePopulation(connection, result.spec, read.otherFailures)
          )
        : undefined;
    result.spec.calibration = {
      ...result.spec.calibration,
      labelSet: labelSet!.version,
      ...(population ? {population} : {}),
      train: {
        ...(result.spec.calibration.train ?? {n: split.train.length, mcc: null}),
        traceIds: split.train.map((e) => e.traceId).sort()
      }
    };
    let version: string;
    let path: string | null = null;
    let outcomes: {outcome: string; traces: number} | null = null;
    let spec = EvaluatorSpecSchema.parse(result.spec);
    if (values["dry-run"]) {
      version = versionOf(spec).version;
      spec = {...spec, calibration: {...result.spec.calibration, evaluatorVersion: version}};
    } else {
      let before: string | null = null;
      try {
        const target = resolve(outDir, `${spec.id}.json`);
        before = existsSync(target) ? loadSpec(target, outDir).version : null;
        const written = writeGeneratedSpec(spec, outDir);
        ({spec, version, path} = written);
        const recorded = {...spec.calibration!, labelSet: labelSet!.version};
        await withConnection(workspace, (connection) =>
          appendSnapshot(connection, snapshotOf(spec.id, recorded, "generate"))
        );
      } catch (error) {
        if (error instanceof SpecError)
          throw new CliError(`${error.message}\nFix or move that file, or choose another --id.`);
        throw error;
      }
      // The reviews whose failures this evaluator now catches led somewhere: say so, so that the Datasets page's
      // list of reviews that led nowhere shrinks. A rerun that changes nothing records nothing.
      if (before !== version) {
        const outcome = before === null ? "new_evaluator" : "evaluator_updated";
        const failures = examples.filter((e) => e.outcome === "fail");
        await withConnection(workspace, (connection) =>
          recordOutcomes(
            connection,
            workspace,
            failures.map((e) => ({
              traceId: e.traceId,
              queueId: null,
              outcome,
              by: io.env.USER || "plumbline generate",
              evaluatorId: spec.id,
              note: `${spec.id} ${version}`
            })),
            new Date()
          )
        );
        outcomes = {outcome, traces: failures.length};
      }
    }
    const calibration = spec.calibration!;
    const gate = specTrustStatus(calibration, version, trust);
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            path,
            version,
            spec,
            split: {train: split.train.length, heldOut: split.heldOut.length},
            skipped,
            gate: {...gate, text: trustText(gate, calibration.mcc), policy: trust},
            method: values.method,
            reviewOutcomes: outcomes,
            ...result.details
          },
          null,
          2
        )
      );
      return 0;
    }
    const c = calibration.confusion;
    const interval = calibration.mccInterval
      ? ` [${calibration.mccInterval[0].toFixed(2)}, ${calibration.mccInterval[1].toFixed(2)}]`
      : "";
    io.out(
      [
        `${spec.id} ${version}${path ? ` → ${path}` : " (dry run, not written)"}` +
          (spec.lineage.derivedFrom
            ? ` (derived from ${spec.lineage.derivedFrom.id} ${spec.lineage.derivedFrom.version})`
            : ""),
        `  labels: ${examples.length} traces on "${criterion}" (${fails} fail, ${passes} pass); train ${split.train.length}, held-out ${split.heldOut.length}` +
          (skipped.otherFailureModes ? `; ${skipped.otherFailureModes} failing with other modes left out` : "") +
          (skipped.notInStore ? `; ${skipped.notInStore} labelled traces not in the store` : ""),
        ...result.summary,
        `  held-out MCC ${calibration.mcc === null ? `undefined (${calibration.mccUndefined})` : calibration.mcc.toFixed(3)}${interval}, tp ${c.tp} fp ${c.fp} fn ${c.fn} tn ${c.tn}; gate: ${trustText(gate, calibration.mcc)}`,
        ...(outcomes
          ? [`  recorded review outcome ${outcomes.outcome} for the ${outcomes.traces} failing traces it was made from`]
          : []),
        ...(values["dry-run"] ? ["", JSON.stringify(spec, null, 2)] : [])
      ].join("\n")
    );
    return 0;
  }
};
