/** @module `plumbline gate`: run an evaluator suite on a candidate's traces and block it when a trusted evaluator fails it. */
import {randomUUID} from "node:crypto";
import {mkdirSync, renameSync, writeFileSync} from "node:fs";
import {dirname, resolve} from "node:path";
import {
  correctedText,
  extraWarnings,
  percent,
  policyText,
  snapshotText,
  formatP,
  statusText,
  transitionText
} from "../../src/core/gate/format.js";
import type {SpecCalibration} from "../../src/core/schemas/evaluator.js";
import {readCurrentCalibrations} from "../gate/currentCalibrations.js";
import {exitStatusOf} from "../../src/core/gate/report.js";
import {renderJunit} from "../../src/core/gate/junit.js";
import {renderMarkdown} from "../../src/core/gate/markdown.js";
import type {GateEvaluator, GateRun} from "../../src/core/schemas/gateReport.js";
import {IngestError} from "../ingest/ingest.js";
import {UnknownFormatError} from "../ingest/formatOf.js";
import {createJudgeClient, type JudgeClient} from "../judge/judgeClient.js";
import {StoreError, workspaceDir} from "../store/db.js";
import {DatasetError, readDatasetCases} from "../store/datasets.js";
import {readRegistryModes} from "../gate/activeModes.js";
import {applyBaseline, DEFAULT_ALPHA} from "../../src/core/gate/baseline.js";
import type {FailureModeState} from "../../src/core/schemas/failureMode.js";
import {compareWithBaseline, experimentCandidate} from "../gate/experimentCandidate.js";
import {recordTransitions} from "../failureModes/gateTransitions.js";
import {ExperimentError} from "../store/experiments.js";
import {
  CandidateError,
  datasetFileCandidate,
  namedDatasetCandidate,
  parseDatasetArg,
  traceFilesCandidate,
  type Candidate,
  type NamedDatasetReader
} from "../gate/candidate.js";
import {appendGateRun} from "../gate/gateRuns.js";
import {GateInterrupted, judgesToCall, needsSpanAttributes, planSuite, runGate} from "../gate/runGate.js";
import {loadSuite} from "../gate/suite.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import {TRUST_HELP, TRUST_OPTIONS, trustPolicyOf} from "./trustOption.js";
import type {Command, Io} from "./command.js";
import {onInterrupt} from "./interrupt.js";
import {progressBar} from "./progress.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline gate --suite <folder> (--traces <file>... | --dataset <name[@version] | file.jsonl> |
                     --experiment <name> [--baseline <name>]) [options]

Runs every evaluator spec in the suite folder on a candidate version's traces and decides whether it may ship.
Each spec's recorded calibration sets its part: MCC ≥ 0.6 blocks, 0.4–0.6 reports only, below 0.4 it is skipped,
and so is a spec with no calibration or with figures measured on an older version of it (uncalibrated).
Under the default trust policy (--trust interval) an evaluator blocks only when, besides MCC ≥ 0.6, the lower
bound of its MCC's 95 % interval is at least 0.4 and each human class (fail, pass) has at least 20 labels;
otherwise it reports only, shown as "reports (weak evidence: …)". --trust point decides on the MCC alone.
An evaluator fails the candidate when fewer than its threshold of traces pass (the spec's gate.minPassRate,
else --min-pass-rate). Beside each raw failure rate the gate shows the rate corrected for the evaluator's
measured errors (Rogan–Gladen) with its 95 % interval; the error rates are those measured where traces failing
another failure mode count as passes (the spec's calibration.population), since the correction applies to them too.

Each evaluator's line names the calibration it was decided on (when measured, on which label-set version, n).
With a workspace, the gate also measures the current version's verdicts against the labels as they are now; when
they changed and disagree (another status, or an MCC moved by more than half the recorded interval), it warns and
says to run \`plumbline calibrate update\`. The decision stays the spec's.

Rule evaluators run in process. LLM judges and hybrids that block or report call an OpenAI-compatible endpoint
(OPENAI_BASE_URL and OPENAI_API_KEY, or --base-url and --api-key-env); a failed call is an error, counted
apart, never a verdict. A blocking judge with no verdict at all blocks too: the gate cannot pass what it did
not see.

Coverage: the share of active failure modes (the workspace's registry, when there is a workspace, and every
mode the suite's specs name) that have a trusted evaluator, and the uncovered ones.

Options:
  --suite <folder>        the evaluator specs (*.json) to run (required)
  --traces <file>         trace files of the candidate, any format \`plumbline ingest\` reads (repeatable);
                          they are read into a throwaway store, never into the workspace
  --dataset <d>           a dataset exported as JSON Lines (file.jsonl), or a workspace dataset name[@version]
  --experiment <name>     the traces a workspace experiment wrote (\`plumbline experiment run\`); cases whose
                          task failed are left out and counted
  --baseline <name>       with --experiment: also block when a trusted evaluator passes the candidate
                          significantly less often than this experiment on the same cases (one-sided exact
                          McNemar test on the cases whose verdict changed); the regressed cases are named
  --alpha <p>             the test's level (default 0.05)
  --workspace <dir>       read the failure-mode registry and current labels here, and append the run to
                          <dir>/gate-runs.jsonl
                          (default: $PLUMBLINE_WORKSPACE when set; otherwise neither happens)
  --junit <file>          write JUnit XML (one test case per evaluator)
  --markdown <file>       write a Markdown summary
  --json                  print the whole report as JSON instead of the summary
  --min-pass-rate <r>     the pass-rate threshold of specs that set none (0–1, default 0.95)
${TRUST_HELP}
  --label <name>          name the candidate in the reports (default: the input's name)
  --concurrency <n>       judge calls in flight at once (default 8)
  --timeout <seconds>     per judge call attempt (default 60)
  --max-attempts <n>      attempts per judge call (default 5)
  --base-url <url>        the judge endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)
  --api-key-env <name>    the environment variable holding the key (default OPENAI_API_KEY)
  -h, --help              show this help

With a workspace, the run also records what it found about each failure mode a blocking evaluator covers: still
failing; regressed (its fix shipped, or it was resolved, and it fails again: the gate moves it to regressed);
or, for a mode whose fix shipped that now passes, proposed for verified_resolved, which a person confirms with
\`plumbline failure-mode set-state <name> verified_resolved\`.

Exit status: 0 when no blocking evaluator fails the candidate, 1 when one does (the failure modes that blocked
are named), 2 on a usage error, a bad spec in the suite, or unreadable input, 130 when interrupted.`;

function positive(value: string | undefined, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw usageError(`invalid --${name}: ${value}`, "gate");
  return n;
}

/** Written next to the target, then renamed, so a CI step never reads half a report. */
function writeAtomic(path: string, text: string): void {
  const target = resolve(path);
  mkdirSync(dirname(target), {recursive: true});
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, target);
}

/**
 * The command, given the reader of named datasets in the workspace store (null where this build has no datasets
 * tables: `--dataset name` then says how to export the dataset to a file instead).
 */
export function gateCommand(readNamedDataset: NamedDatasetReader): Command {
  return {
    name: "gate",
    summary: "run the evaluator suite on a candidate and block it when a trusted evaluator fails it",
    help,
    async run(args, io) {
      const {values} = parseVerbArgs("gate", {
        args,
        options: {
          suite: {type: "string"},
          traces: {type: "string", multiple: true},
          dataset: {type: "string"},
          experiment: {type: "string"},
          baseline: {type: "string"},
          alpha: {type: "string"},
          workspace: {type: "string"},
          junit: {type: "string"},
          markdown: {type: "string"},
          json: {type: "boolean", default: false},
          "min-pass-rate": {type: "string"},
          ...TRUST_OPTIONS,
          label: {type: "string"},
          concurrency: {type: "string"},
          timeout: {type: "string"},
          "max-attempts": {type: "string"},
          "base-url": {type: "string"},
          "api-key-env": {type: "string"}
        }
      });
      if (!values.suite) throw usageError("name the suite: --suite <folder of evaluator specs>", "gate");
      if ([values.traces, values.dataset, values.experiment].filter(Boolean).length !== 1)
        throw usageError(
          "give the candidate's traces with --traces <file>..., --dataset <name or file.jsonl> or --experiment <name>, one of them",
          "gate"
        );
      if (values.baseline && !values.experiment)
        throw usageError("--baseline compares two experiments: give the candidate with --experiment <name>", "gate");
      const alpha = values.alpha === undefined ? DEFAULT_ALPHA : Number(values.alpha);
      if (!(alpha > 0 && alpha < 1))
        throw usageError(`invalid --alpha: ${values.alpha} (a level between 0 and 1)`, "gate");
      const minPassRate = values["min-pass-rate"] === undefined ? 0.95 : Number(values["min-pass-rate"]);
      if (!(minPassRate >= 0 && minPassRate <= 1))
        throw usageError(`invalid --min-pass-rate: ${values["min-pass-rate"]} (a share from 0 to 1)`, "gate");
      const trust = trustPolicyOf(values.trust, values["min-per-class"], "gate");
      const concurrency = positive(values.concurrency, "concurrency", 8);
      const timeoutMs = positive(values.timeout, "timeout", 60, false) * 1000;
      const maxAttempts = positive(values["max-attempts"], "max-attempts", 5);
      // An experiment lives in a workspace: without --workspace it is the default one.
      const workspace =
        values.workspace ?? io.env.PLUMBLINE_WORKSPACE ?? (values.experiment ? workspaceDir(io.env) : null);
      let dataset: ReturnType<typeof parseDatasetArg> | null = null;
      if (values.dataset) {
        try {
          dataset = parseDatasetArg(values.dataset);
        } catch (error) {
          if (error instanceof CandidateError) throw usageError(error.message, "gate");
          throw error;
        }
      }

      // Everything that can be wrong with the suite is found before any trace is read or any call is made.
      const suite = loadSuite(values.suite);
      if (suite.problems.length) throw new CliError(`the suite cannot run:\n  ${suite.problems.join("\n  ")}`, 2);
      const planned = planSuite(suite, minPassRate, trust);
      const judges = judgesToCall(planned);
      const threadJudges = judges.filter((l) => l.spec.scope !== "trace");
      if (threadJudges.length) {
        throw new CliError(
          `${threadJudges.map((l) => `${l.path}: the judge asks about each ${l.spec.scope}; LLM judges run on whole traces (scope "trace")`).join("\n")}`,
          2
        );
      }
      let client: JudgeClient | undefined;
      if (judges.length) {
        const keyVar = values["api-key-env"] ?? "OPENAI_API_KEY";
        const apiKey = io.env[keyVar];
        if (!apiKey)
          throw new CliError(
            `${judges.map((l) => l.spec.id).join(", ")} ${judges.length > 1 ? "are LLM judges" : "is an LLM judge"} trusted to gate, and $${keyVar} is not set; export it (or name another variable with --api-key-env)`,
            2
          );
        client = createJudgeClient({
          baseURL: values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
          apiKey,
          timeoutMs,
          maxAttempts
        });
      }

      const bar = progressBar("gate", process.stderr, "items");
      const controller = new AbortController();
      const release = onInterrupt({
        stop: () => controller.abort(),
        again: () => io.err("already stopping: the judges in flight are being cancelled")
      });
      let candidate: Candidate;
      let run: GateRun;
      let states: Map<string, FailureModeState> | null = null;
      try {
        if (values.traces) {
          const reading = progressBar("read traces");
          try {
            candidate = await traceFilesCandidate(
              values.traces,
              {log: (line) => io.err(line), progress: (done, total, detail) => reading.update(done, total, detail)},
              {spanAttributes: needsSpanAttributes(planned)}
            );
          } finally {
            reading.done();
          }
        } else if (values.experiment) {
          candidate = await experimentCandidate(workspace!, values.experiment, {
            spanAttributes: needsSpanAttributes(planned)
          });
        } else if (dataset && "file" in dataset) {
          candidate = datasetFileCandidate(dataset.file);
        } else {
          const named = dataset as {name: string; version?: number};
          candidate = await namedDatasetCandidate(
            workspace ?? workspaceDir(io.env),
            named.name,
            named.version,
            readNamedDataset
          );
        }
        for (const note of candidate.notes) io.err(note);
        let registry = null;
        let current = new Map<string, SpecCalibration>();
        if (workspace) {
          const read = await readRegistryModes(workspace, suite.dir, Date.now());
          for (const problem of read.problems) io.err(`failure-mode registry: ${problem}`);
          registry = read.modes;
          states = new Map(read.modes.map((m) => [m.name, m.state as FailureModeState]));
          current = await readCurrentCalibrations(workspace, suite.specs, new Date());
        }
        run = await runGate({
          suite,
          items: candidate.items,
          candidate: candidate.info,
          registry,
          current,
          label: values.label ?? candidate.info.name,
          runId: `gate-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
          defaultMinPassRate: minPassRate,
          trust,
          concurrency,
          ...(client ? {client} : {}),
          signal: controller.signal,
          onProgress: (done, total, detail) => bar.update(done, total, detail),
          onJudgeProgress: (id, done, total, errors) =>
            bar.update(done, total, `${id}: ${done}/${total} traces judged, ${errors} errors`)
        });
        if (values.experiment && values.baseline) {
          const ran = planned.filter((p) => p.plan.role !== "skipped").map((p) => p.loaded);
          bar.update(0, 1, `comparing with ${values.baseline}`);
          const comparison = await compareWithBaseline(
            workspace!,
            values.baseline,
            values.experiment,
            ran,
            client,
            controller.signal
          );
          run = applyBaseline(run, comparison, alpha);
        }
        if (workspace && states)
          run = await recordTransitions(run, states, {workspace, evaluatorsDir: suite.dir, now: Date.now()});
      } catch (error) {
        // Status 1 means the gate blocked the candidate; traces, a dataset or a store it cannot read end it with 2.
        if (
          error instanceof IngestError ||
          error instanceof UnknownFormatError ||
          error instanceof StoreError ||
          error instanceof DatasetError ||
          error instanceof ExperimentError
        )
          throw new CliError(error.message, 2);
        if (error instanceof GateInterrupted) throw new CliError(`${error.message}; run the gate again`, 130);
        throw error;
      } finally {
        bar.done();
        release();
      }

      if (values.junit) writeAtomic(values.junit, renderJunit(run));
      if (values.markdown) writeAtomic(values.markdown, renderMarkdown(run));
      if (workspace) {
        appendGateRun(workspace, run);
        await afterWorkspaceChange(workspace);
      }
      if (values.json) io.out(JSON.stringify(run, null, 2));
      else printSummary(run, io);
      if (run.blocked) {
        io.err(
          `blocked by failure mode${run.blockedBy.length > 1 ? "s" : ""} ${run.blockedBy.map((b) => `"${b.failureMode}" (${b.evaluators.join(", ")})`).join(", ")}`
        );
      }
      return exitStatusOf(run);
    }
  };
}

export const command = gateCommand(readDatasetCases);

const MARK: Record<GateEvaluator["outcome"], string> = {
  blocked: "✗",
  error: "!",
  warned: "~",
  passed: "✓",
  skipped: "-"
};

function evaluatorLines(e: GateEvaluator): string[] {
  const warnings = [
    ...(e.snapshot && e.versionMatch ? [`      calibration: ${snapshotText(e)}`] : []),
    ...extraWarnings(e).map((w) => `      warning: ${w}`),
    ...(e.labelDrift ? [`      warning: ${e.labelDrift}`] : [])
  ];
  if (e.outcome === "skipped")
    return [`  ${MARK[e.outcome]} ${e.id} [${e.failureMode}] skipped: ${statusText(e)}, ${e.reason}`, ...warnings];
  const mcc = e.calibration?.mcc == null ? "" : ` MCC ${e.calibration.mcc.toFixed(2)}`;
  const errors = e.counts?.errors ? `, ${e.counts.errors} errors` : "";
  return [
    `  ${MARK[e.outcome]} ${e.id} [${e.failureMode}] ${statusText(e)}${mcc}: ${e.outcome}; pass rate ${percent(e.passRate)} (min ${percent(e.minPassRate)}), ` +
      `failure rate ${percent(e.failRate)}, corrected ${correctedText(e)}${errors}`,
    ...warnings
  ];
}

function printSummary(run: GateRun, io: Io): void {
  const c = run.coverage;
  const uncovered = c.modes.filter((m) => !m.covered);
  io.out(
    [
      `gate ${run.label}: ${run.blocked ? `BLOCKED by ${run.blockedBy.map((b) => `"${b.failureMode}"`).join(", ")}` : "passed"}`,
      `  ${run.candidate.traces} traces${run.candidate.rejected ? ` (${run.candidate.rejected} records rejected)` : ""}, ${run.evaluators.length} evaluators in ${(run.durationMs / 1000).toFixed(2)} s`,
      `  trust policy ${policyText(run)}`,
      ...run.evaluators.flatMap(evaluatorLines),
      ...(run.baseline
        ? [
            `against the baseline ${run.baseline.experiment} (one-sided exact McNemar, alpha ${run.baseline.alpha}):`,
            ...run.evaluators.flatMap((e) =>
              e.baseline
                ? [
                    `  ${e.id}: ${percent(e.baseline.passRate)} → ${percent(e.baseline.candidatePassRate)} on ${e.baseline.paired} cases, ` +
                      `${e.baseline.regressed.length} regressed, ${e.baseline.improved} improved, p = ${formatP(e.baseline.pWorse)}` +
                      `${e.baseline.significant ? " (significantly worse)" : ""}` +
                      (e.baseline.regressed.length ? `\n    regressed: ${e.baseline.regressed.join(", ")}` : "")
                  ]
                : []
            )
          ]
        : []),
      ...(run.transitions ?? []).map((t) => `failure mode ${t.failureMode}: ${transitionText(t)}`),
      `coverage: ${c.covered} of ${c.active} active failure modes (${percent(c.share, 0)}) have a trusted evaluator${c.registry ? "" : " (no registry read: give --workspace)"}`,
      ...uncovered.map((m) => `  uncovered: ${m.name}${m.state ? ` (${m.state})` : ""}: ${m.why}`)
    ].join("\n")
  );
}
