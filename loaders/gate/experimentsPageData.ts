/**
 * @module The Experiments page's data: every experiment in the workspace with each case's output, cost, latency and
 * the verdicts of the suite's rule evaluators (a page build makes no judge calls). The page pairs two of them with
 * `compareExperiments`, so any two can be compared without a loader run per pair.
 */
import {existsSync} from "node:fs";
import type {ExperimentSide} from "../../src/core/experiments/compare.js";
import type {Experiment} from "../../src/core/schemas/experiment.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {dbPath, withReadConnection} from "../store/db.js";
import {listExperiments} from "../store/experiments.js";
import {scoreExperiment} from "./experimentSide.js";
import {loadSuite} from "./suite.js";

export interface ExperimentsPageData {
  experiments: {experiment: Experiment; side: ExperimentSide}[];
  /** The rule evaluators that scored them; LLM judges are left out of a page build and named here. */
  evaluators: string[];
  leftOut: string[];
  problems: string[];
}

export async function readExperimentsPageData(
  workspace: string,
  suiteDir = EVALUATORS_DIR
): Promise<ExperimentsPageData> {
  const suite = loadSuite(suiteDir);
  const rules = suite.specs.filter((s) => s.spec.kind === "rule");
  const data: ExperimentsPageData = {
    experiments: [],
    evaluators: rules.map((s) => s.spec.id),
    leftOut: suite.specs.filter((s) => s.spec.kind !== "rule").map((s) => s.spec.id),
    problems: suite.problems
  };
  if (!existsSync(dbPath(workspace))) return data;
  await withReadConnection(workspace, async (connection) => {
    for (const experiment of await listExperiments(connection)) {
      const scored = await scoreExperiment(connection, experiment.name, {specs: rules});
      data.experiments.push({experiment, side: scored.side});
    }
  });
  return data;
}
