/**
 * @module An experiment as the gate's candidate: the traces its cases wrote (cases whose task failed have no output
 * and are counted as rejected), and, with a baseline, both experiments scored case by case and compared, so that the
 * gate can ask whether the candidate is significantly worse than the baseline on the same cases.
 */
import {compareExperiments, type Comparison} from "../../src/core/experiments/compare.js";
import type {JudgeClient} from "../judge/judgeClient.js";
import type {LoadedSpec} from "../judge/specFile.js";
import {withReadConnection} from "../store/db.js";
import {ExperimentError, readExperiment, readExperimentResults} from "../store/experiments.js";
import {readJudgeItems} from "../store/judgeItems.js";
import {CandidateError, type Candidate} from "./candidate.js";
import {scoreExperiment} from "./experimentSide.js";

export async function experimentCandidate(
  workspace: string,
  name: string,
  read: {spanAttributes?: boolean} = {}
): Promise<Candidate> {
  return withReadConnection(workspace, async (connection) => {
    const experiment = await readExperiment(connection, name);
    if (!experiment)
      throw new CandidateError(
        `no experiment named ${name} in ${workspace}; \`plumbline experiment list\` shows them, \`plumbline experiment run\` records one`
      );
    const results = await readExperimentResults(connection, name);
    const ok = results.filter((r) => r.status === "ok");
    if (!ok.length)
      throw new CandidateError(
        `the experiment ${name} has no case with an output (${results.length} cases, all errors)`
      );
    const items = await readJudgeItems(connection, {traceIds: ok.map((r) => r.traceId), ...read});
    const errors = results.length - ok.length;
    return {
      items,
      info: {
        kind: "experiment",
        // The dataset it ran goes in the name: a version of the experiment itself there is none.
        name: `${name} on ${experiment.dataset}@${experiment.datasetVersion}`,
        version: null,
        traces: items.length,
        rejected: errors
      },
      notes: errors ? [`${name}: ${errors} cases have no output (the task failed); they are left out`] : []
    };
  });
}

/** Both experiments scored by `specs` and compared case by case; they must have run the same dataset. */
export async function compareWithBaseline(
  workspace: string,
  baseline: string,
  candidate: string,
  specs: readonly LoadedSpec[],
  client?: JudgeClient,
  signal?: AbortSignal
): Promise<Comparison> {
  return withReadConnection(workspace, async (connection) => {
    const options = {specs, ...(client ? {client} : {}), ...(signal ? {signal} : {})};
    const a = await scoreExperiment(connection, baseline, options);
    const b = await scoreExperiment(connection, candidate, options);
    if (a.experiment.dataset !== b.experiment.dataset)
      throw new ExperimentError(
        `${baseline} ran the dataset ${a.experiment.dataset} and ${candidate} ran ${b.experiment.dataset}: a baseline must run the same cases`
      );
    return compareExperiments(a.side, b.side);
  });
}
