/** @module `plumbline demo`: the bundled demo workspace, built from real public traces shipped in data/demo. */
import {existsSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {ingest} from "../ingest/ingest.js";
import {importJudgmentSet} from "../calibration/importSet.js";
import {dbPath, withConnection, workspaceDir} from "../store/db.js";
import {parseVerbArgs} from "./error.js";
import type {Command, Io} from "./command.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {progressBar} from "./progress.js";
import {afterWorkspaceChange, PROJECT_ROOT} from "../workspace/changed.js";
import {DEFAULT_CLUSTER_OPTIONS} from "../clusters/runClustering.js";
import {clusterWorkspace, describeRun} from "./clusterCommand.js";
import {openAnnotationService} from "../annotations/service.js";
import {rubricPath, writeRubric} from "../annotations/files.js";
import {AIRLINE_RUBRIC} from "../../src/core/annotations/airlineRubric.js";
import {graderLabels, NOT_COMPLETED_MODE, readTauRuns, TOOL_ERROR_MODE} from "../annotations/tauBenchLabels.js";

const DEMO = join(PROJECT_ROOT, "data", "demo");

/** The demo's trace files: every real trace set in data/demo, without the files beside them that are not traces. */
export function demoInputs(demo = DEMO): string[] {
  const list = (dir: string, keep: (name: string) => boolean) =>
    readdirSync(join(demo, dir))
      .filter(keep)
      .sort()
      .map((name) => join(demo, dir, name));
  return [
    join(demo, "tau-bench-airline", "gpt-4o-airline.json"),
    join(demo, "who-and-when", "Hand-Crafted"),
    join(demo, "who-and-when", "Algorithm-Generated"),
    ...list("formats/langfuse", (name) => name.endsWith(".trace.json")),
    ...list("formats/langsmith", (name) => name.endsWith(".json")),
    join(demo, "formats", "otlp", "trace.json"),
    ...list("formats/openinference", (name) => name.endsWith(".json") && name !== "vercel-capture-results.json")
  ];
}

/** Builds the demo workspace when it does not exist yet (or always, with `force`). Returns whether it built. */
export async function ensureDemoWorkspace(
  workspace: string,
  force: boolean,
  log: (line: string) => void
): Promise<boolean> {
  if (!force && existsSync(dbPath(workspace))) return false;
  if (force) rmSync(dbPath(workspace), {force: true});
  log(`building the demo workspace in ${workspace} from data/demo (τ-bench airline, Who&When, format fixtures)…`);
  const bar = progressBar("demo");
  try {
    const summary = await ingest(
      {workspace, paths: demoInputs()},
      {log, progress: (done, total, detail) => bar.update(done, total, detail)}
    );
    bar.done();
    const judgments = await withConnection(workspace, async (connection) => [
      await importJudgmentSet(connection, "pandalm", join(DEMO, "pandalm")),
      await importJudgmentSet(connection, "llmbar", join(DEMO, "llmbar", "Natural"))
    ]);
    log(
      `demo workspace ready: ${summary.added.traces} traces, ${summary.added.spans} spans, ${summary.added.messages} messages, ` +
        `and judge-vs-human judgments: ${judgments.map((j) => `${j.items} ${j.dataset}`).join(", ")}`
    );
  } finally {
    bar.done();
  }
  // The demo's traces are an airline agent's, so its rubric is the airline one; a rubric already there (set with
  // `annotations rubric --set`) is kept. Any other workspace starts with the generic one.
  if (!existsSync(rubricPath(workspace))) writeRubric(workspace, AIRLINE_RUBRIC);
  // The τ-bench runs come with their benchmark's verdicts: imported as a QA review, they are ground truth to
  // generate and calibrate evaluators against from the first start.
  const service = openAnnotationService({workspace, mirrorDelayMs: 5});
  try {
    const labels = await service.importMany(
      graderLabels(readTauRuns(join(DEMO, "tau-bench-airline", "gpt-4o-airline.json"))),
      "demo"
    );
    await service.flush();
    log(
      `imported ${labels.created.length} τ-bench grader labels (criterion overall; failure modes "${TOOL_ERROR_MODE}" and "${NOT_COMPLETED_MODE}")`
    );
  } finally {
    await service.close();
  }
  // Offline TF-IDF clusters, so the Clusters page has something to show with no API key.
  const clusters = await clusterWorkspace(workspace, DEFAULT_CLUSTER_OPTIONS, {err: log});
  log(describeRun(clusters));
  // The rest of the loop, so the Suite and Datasets pages open on real figures: the grader's confirmed tool-error
  // failures become a regression dataset, and the shipped evaluator suite gates the τ-bench runs.
  const quiet: Io = {out: () => {}, err: () => {}, env: {}};
  const tau = join(DEMO, "tau-bench-airline", "gpt-4o-airline.json");
  const {command: dataset} = await import("./datasetCommand.js");
  await dataset.run(
    [
      "promote",
      "airline-regressions",
      "--failure-mode",
      TOOL_ERROR_MODE,
      "--by",
      "demo",
      "--reason",
      "the grader's unrecovered tool errors",
      "--workspace",
      workspace
    ],
    quiet
  );
  const {command: gate} = await import("./gateCommand.js");
  const status = await gate.run(
    [
      "--suite",
      EVALUATORS_DIR,
      "--traces",
      tau,
      "--workspace",
      workspace,
      "--label",
      "demo: τ-bench GPT-4o airline runs"
    ],
    quiet
  );
  log(
    `dataset airline-regressions holds the grader's ${TOOL_ERROR_MODE} failures; the evaluator suite ${status === 1 ? "blocks" : "passes"} the τ-bench runs (see the Suite page)`
  );
  await afterWorkspaceChange(workspace);
  return true;
}

const help = `Usage: plumbline demo [options]

Builds a workspace from the real public traces bundled in data/demo: 200 τ-bench airline runs of a GPT-4o
tool-calling agent, 184 failed Who&When multi-agent runs with human failure labels, and small real
Langfuse, LangSmith, OTLP and OpenInference exports; and, for the Calibration page, 999 PandaLM comparisons
judged by three people, gpt-3.5-turbo and PandaLM-7B, and 100 LLMBar items with gold labels and six judges'
verdicts under two prompt strategies. The τ-bench runs' benchmark verdicts are imported as labels of a QA
review by "tau-bench-grader" (fail when the reward is 0; failure mode "tool error not recovered" when a tool
answered "Error: …", else "task not completed"). Its rubric is written for the airline agent (seven criteria,
six failure modes); a workspace made any other way starts with a generic one (overall pass/fail and notes).
Needs no network and no API key.

Options:
  --workspace <dir>    where to build it (default: $PLUMBLINE_WORKSPACE or data/)
  --force              rebuild even when the workspace exists
  -h, --help           show this help`;

export const command: Command = {
  name: "demo",
  summary: "build the bundled demo workspace",
  help,
  async run(args, io) {
    const {values} = parseVerbArgs("demo", {
      args,
      options: {workspace: {type: "string"}, force: {type: "boolean", default: false}}
    });
    const workspace = values.workspace ?? workspaceDir(io.env);
    const built = await ensureDemoWorkspace(workspace, values.force, (line) => io.err(line));
    if (!built) io.out(`the workspace ${workspace} exists; use --force to rebuild it`);
    return 0;
  }
};
