/**
 * @module The one built site the page tests share: a workspace holding what the overview, traces, calibration,
 * suite and datasets pages show, built once per test run.
 *
 * `observable build` runs every loader of every page, so it is the slow part of a page test; one build of one
 * workspace that holds each page's fixture serves them all. `node scripts/test.mjs` names a folder for the run in
 * PLUMBLINE_TEST_RUN_DIR: the first test file that asks builds the site there, the others wait for it and reuse it.
 * A test file run on its own builds it in a temporary folder of its own. Tests only read the site.
 *
 * The parts are kept apart so each page shows exactly its own part: the gate runs come before the labels (the
 * registry offers labels' failure modes as new, which would change the suite's coverage), and the hostile judge's
 * imported ground truth is on a criterion of its own, `markup`, not on the labels' `overall`.
 * The Clusters page keeps a build of its own: clustering the other traces with its twenty would change every count
 * on every page.
 */
import assert from "node:assert/strict";
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {calibrationFromConfusion} from "../../src/core/calibration/specCalibration.js";
import {parseEvaluatorSpec, type EvaluatorSpecInput} from "../../src/core/schemas/evaluator.js";
import {importJudgmentSet} from "../calibration/importSet.js";
import {main} from "../cli/main.js";
import {QUEUE_ID, writeDatasetWorkspace} from "../datasets/fixtures.js";
import {promoteTraces} from "../datasets/promote.js";
import {writeNextVersion} from "../datasets/versions.js";
import {promote} from "../failureModes/actions.js";
import {captureIo} from "../fixtures/captureIo.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {tempDir} from "../fixtures/tempDir.js";
import {versionOf} from "../judge/specFile.js";
import {registerEvaluatorVersion} from "../store/calibration.js";
import {withConnection} from "../store/db.js";
import {writeVerdicts} from "../store/judgeVerdicts.js";
import {buildSite, copyProject, REPO_ROOT, type BuiltSite} from "./buildSite.js";
import {addCspMeta} from "./csp.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT, fixtureTraces} from "./fixtures.js";
import {writeFixtureWorkspace} from "./fixtureWorkspace.js";
import {openSite, type OpenSite} from "./openBuiltSite.js";

export const RUN_DIR_ENV = "PLUMBLINE_TEST_RUN_DIR";

/** The suite page's failure mode whose name is hostile HTML. */
export const HOSTILE_MODE = `refund ${HOSTILE_SCRIPT}${HOSTILE_IMAGE}`;

export interface FixtureSite {
  workspace: string;
  site: BuiltSite;
}

/** The datasets page: the four traces labelled in a queue, promoted into a dataset, and a second version. */
async function datasetsPart(workspace: string): Promise<void> {
  await writeDatasetWorkspace(workspace);
  await withConnection(workspace, async (connection) => {
    await promoteTraces(connection, {workspace, name: "airline", source: {kind: "queue", id: QUEUE_ID}, addedBy: "ana", reason: "first triage",
      now: new Date("2026-11-20T10:00:00.000Z")});
    await writeNextVersion(connection, {name: "airline", removeIds: ["trace-timeout"], createdBy: "bo", source: "remove", note: "flaky upstream",
      now: new Date("2026-11-21T10:00:00.000Z")});
  });
}

function writeSpec(dir: string, input: EvaluatorSpecInput, confusion: {tp: number; fp: number; fn: number; tn: number}, staleAs?: string) {
  const parsed = parseEvaluatorSpec(input);
  if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
  const calibration = calibrationFromConfusion(confusion, {
    evaluatorVersion: staleAs ?? versionOf(parsed.spec).version, criterion: "overall", labels: "held-out labels of the support team", split: "held-out",
    measuredAt: "2026-11-01T00:00:00Z", resamples: 200
  });
  writeFileSync(join(dir, `${input.id}.json`), JSON.stringify({...input, calibration}));
}

/**
 * The suite page: a failure mode nobody checks, and a dataset of ten cases, three with a failed tool call, gated
 * twice: first with a lenient threshold, then blocked.
 */
async function suitePart(workspace: string): Promise<void> {
  await promote({workspace, now: Date.parse("2026-11-20T00:00:00Z")}, {name: "nobody checks this", description: null, clusterId: null});
  const suite = join(workspace, "suite");
  mkdirSync(suite, {recursive: true});
  const rule = (id: string, failureMode: string, condition: unknown, minPassRate: number): EvaluatorSpecInput =>
    ({id, version: "1.0.0", failureMode, criterion: "overall", kind: "rule", rule: condition, gate: {minPassRate}}) as EvaluatorSpecInput;
  writeSpec(suite, rule("tool-failed", HOSTILE_MODE, {op: "tool_call", failed: true}, 0.6), {tp: 45, fp: 5, fn: 5, tn: 45});
  writeSpec(suite, rule("stale-check", "slow answers", {op: "threshold", field: "latency_ms", test: {gt: 1000}}, 0.9), {tp: 45, fp: 5, fn: 5, tn: 45}, "0.9.0+0123456789ab");
  const cases = Array.from({length: 10}, (_, i) => ({
    caseId: `case-${i}`, input: `order ${i}`, kind: "regression", sourceTraceId: null, addedBy: "ana", addedAt: "2026-11-01T00:00:00.000Z",
    context: {
      status: "ok", fields: {latency_ms: 500 * i},
      messages: [{role: "user", direction: "input", content: `order ${i}`}],
      toolCalls: [{name: "lookup", arguments: null, result: null, success: i >= 3}],
      spans: []
    }
  }));
  const file = join(suite, "cases.jsonl");
  writeFileSync(file, cases.map((c) => JSON.stringify(c)).join("\n"));
  const first = captureIo();
  assert.equal(await main(["gate", "--suite", suite, "--dataset", file, "--workspace", workspace, "--label", "candidate 1"], first), 0, first.stderr.join("\n"));
  const spec = join(suite, "tool-failed.json");
  const strict = JSON.parse(readFileSync(spec, "utf8"));
  writeFileSync(spec, JSON.stringify({...strict, gate: {minPassRate: 0.9}}));
  const second = captureIo();
  assert.equal(await main(["gate", "--suite", suite, "--dataset", file, "--workspace", workspace, "--label", "candidate 2"], second), 1, second.stderr.join("\n"));
}

/**
 * The calibration page: PandaLM's judgment set, and an evaluator whose reasoning and whose ground-truth explanation
 * are hostile HTML, on a criterion of its own so that the datasets page's labels stay out of its matrix.
 */
async function calibrationPart(workspace: string): Promise<void> {
  await withConnection(workspace, (connection) => importJudgmentSet(connection, "pandalm", sharedPath("pandalm")));
  await withConnection(workspace, async (connection) => {
    await registerEvaluatorVersion(connection, {
      evaluatorId: "hostile-judge", evaluatorVersion: "1+abc", criterion: "markup", failureMode: "hostile text", kind: "llm_judge", judgeModel: "m", spec: null
    });
    const traces = fixtureTraces().map((t) => t.info.traceId);
    await writeVerdicts(connection, traces.map((traceId) => ({
      runId: "r", evaluatorId: "hostile-judge", evaluatorVersion: "1+abc", traceId, outcome: "fail", reasoning: `judge says ${HOSTILE_SCRIPT}`, error: null,
      judgeModel: "m", promptHash: null, datasetVersion: null, inputTokens: null, outputTokens: null, costUsd: null, createdAt: new Date()
    })));
    for (const traceId of traces) {
      await connection.run("INSERT INTO imported_ground_truth VALUES (?, 'markup', false, NULL, ?, 'single')", [traceId, `annotator says ${HOSTILE_IMAGE}`]);
    }
  });
}

/** Writes the shared workspace: the browser fixtures' four traces and each page's part. */
export async function writeFixtureSiteWorkspace(workspace: string): Promise<void> {
  await writeFixtureWorkspace(workspace, fixtureTraces());
  // The gate records coverage as the registry stands, and the registry offers labels' failure modes as new ones:
  // the suite page's gate runs come before the datasets page's labels (which write the same traces again, adding
  // nothing).
  await suitePart(workspace);
  await datasetsPart(workspace);
  await calibrationPart(workspace);
}

async function buildInto(root: string): Promise<FixtureSite> {
  const workspace = join(root, "workspace");
  await writeFixtureSiteWorkspace(workspace);
  const site = await buildSite(copyProject(REPO_ROOT, join(root, "project")), workspace);
  addCspMeta(site.distDir);
  return {workspace, site};
}

const BUILT = "built.json";
const FAILED = "failed.txt";

/** Waits for another test process to finish building the site in `root`. */
async function builtByAnother(root: string): Promise<FixtureSite> {
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    if (existsSync(join(root, BUILT))) return JSON.parse(readFileSync(join(root, BUILT), "utf8")) as FixtureSite;
    if (existsSync(join(root, FAILED))) {
      throw new Error(`building the shared fixture site failed in another test file:\n${readFileSync(join(root, FAILED), "utf8")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the shared fixture site in ${root} was not built within 15 minutes`);
}

async function findOrBuild(): Promise<FixtureSite> {
  const runDir = process.env[RUN_DIR_ENV];
  if (!runDir) return buildInto(tempDir("fixture-site"));
  const root = join(runDir, "fixture-site");
  try {
    // Making the folder is the lock: exactly one process succeeds and builds.
    mkdirSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return builtByAnother(root);
    throw error;
  }
  try {
    const built = await buildInto(root);
    writeFileSync(join(root, BUILT), JSON.stringify(built));
    return built;
  } catch (error) {
    writeFileSync(join(root, FAILED), error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
}

let shared: Promise<FixtureSite> | undefined;

/** The shared site, built on the first call of the run. */
export function fixtureSite(): Promise<FixtureSite> {
  return (shared ??= findOrBuild());
}

/** The shared site served on 127.0.0.1 under the strict policy, with a Chromium; closing leaves the site in place. */
export async function openFixtureSite(): Promise<OpenSite> {
  const {workspace, site} = await fixtureSite();
  return openSite(workspace, site, () => {});
}
