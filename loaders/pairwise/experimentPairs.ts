/**
 * @module Two experiments' pairs from the store: each case both ran with an output, numbered as `experimentPairs`
 * numbers them (output 1 belongs to the experiment whose name sorts first). Both must have run the same dataset
 * version, or their cases are not the same questions.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {experimentPairs, type ExperimentPair} from "../../src/core/pairwise/review.js";
import {scoreExperiment} from "../gate/experimentSide.js";
import {ExperimentError} from "../store/experiments.js";

export interface PairsOfExperiments {
  experiments: [string, string];
  dataset: string;
  datasetVersion: number;
  pairs: ExperimentPair[];
  /** Cases left out because one side has no output. */
  unpaired: number;
}

export async function readExperimentPairs(
  connection: DuckDBConnection,
  x: string,
  y: string
): Promise<PairsOfExperiments> {
  if (x === y) throw new ExperimentError(`a pair needs two different experiments; both are ${x}`);
  const [sx, sy] = [
    await scoreExperiment(connection, x, {specs: []}),
    await scoreExperiment(connection, y, {specs: []})
  ];
  const [ex, ey] = [sx.experiment, sy.experiment];
  if (ex.dataset !== ey.dataset || ex.datasetVersion !== ey.datasetVersion)
    throw new ExperimentError(
      `${x} ran ${ex.dataset}@${ex.datasetVersion} and ${y} ran ${ey.dataset}@${ey.datasetVersion}; pairs compare two experiments on the same dataset version`
    );
  const pairs = experimentPairs(sx.side, sy.side);
  const cases = new Set([...sx.side.cases, ...sy.side.cases].map((c) => c.caseId)).size;
  return {
    experiments: pairs[0]?.experiments ?? (x < y ? [x, y] : [y, x]),
    dataset: ex.dataset,
    datasetVersion: ex.datasetVersion,
    pairs,
    unpaired: cases - pairs.length
  };
}
