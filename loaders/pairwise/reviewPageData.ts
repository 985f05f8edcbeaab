/**
 * @module The Pairwise review page's data: every experiment's answered cases (input and output), the reviewers'
 * choices as the log holds them, and the pairwise judges' latest answers. The page pairs any two experiments of
 * one dataset version itself, so one loader run serves every pair.
 */
import {existsSync} from "node:fs";
import type {ExperimentSide} from "../../src/core/experiments/compare.js";
import type {PairwiseChoice, PairwiseVerdict} from "../../src/core/pairwise/review.js";
import {readPairwiseChoices} from "../annotations/pairwiseLog.js";
import {scoreExperiment} from "../gate/experimentSide.js";
import {dbPath, withReadConnection} from "../store/db.js";
import {listExperiments} from "../store/experiments.js";
import {readPairwiseVerdicts} from "../store/pairwiseVerdicts.js";

export interface PairwisePageData {
  /** Whether the page is served with the API (`plumbline start`); without it, the page is read-only. */
  api: boolean;
  /** Newest first, with each case's input and output (cases without an output are left out of pairs). */
  experiments: {name: string; dataset: string; datasetVersion: number; side: ExperimentSide}[];
  choices: PairwiseChoice[];
  verdicts: PairwiseVerdict[];
  problems: string[];
}

export async function readPairwisePageData(workspace: string, api: boolean): Promise<PairwisePageData> {
  const {choices, problems} = readPairwiseChoices(workspace);
  const data: PairwisePageData = {
    api,
    experiments: [],
    choices,
    verdicts: [],
    problems: problems.map((p) => `${p.file}:${p.line}: ${p.reason}`)
  };
  if (!existsSync(dbPath(workspace))) return data;
  await withReadConnection(workspace, async (connection) => {
    for (const e of await listExperiments(connection)) {
      const {side} = await scoreExperiment(connection, e.name, {specs: []});
      // Verdicts are not needed here, and keep the page's file small.
      const cases = side.cases.map((c) => ({...c, verdicts: {}, traceId: null}));
      data.experiments.push({
        name: e.name,
        dataset: e.dataset,
        datasetVersion: e.datasetVersion,
        side: {name: side.name, cases}
      });
    }
    data.verdicts = (await readPairwiseVerdicts(connection)).map(({judgeId, pairId, order, preference}) => ({
      judgeId,
      pairId,
      order,
      preference
    }));
  });
  return data;
}
