/**
 * @module The experiment runner's store on a workspace. Every write opens the store for as long as it takes, never
 * for the whole run, so `plumbline start`'s trace receiver can catch up the spans a task exports while it runs.
 */
import {withConnection} from "../store/db.js";
import {cachedAnswers, readExperimentResults, writeCachedAnswers, writeExperimentCases} from "../store/experiments.js";
import type {ExperimentStore} from "./runner.js";

export function workspaceExperimentStore(workspace: string): ExperimentStore {
  return {
    finished: (experiment) =>
      withConnection(workspace, async (c) => {
        const results = await readExperimentResults(c, experiment);
        return new Set(results.filter((r) => r.status === "ok").map((r) => r.caseId));
      }),
    cached: (keys) => withConnection(workspace, (c) => cachedAnswers(c, keys)),
    write: (cases, cache) =>
      withConnection(workspace, async (c) => {
        await writeExperimentCases(c, cases);
        await writeCachedAnswers(c, cache);
      })
  };
}
