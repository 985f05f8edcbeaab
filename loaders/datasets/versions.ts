/**
 * @module Making a dataset's next version from its latest one: cases added (a case whose id the dataset already
 * holds is replaced by the new one; one it holds unchanged is no change), cases removed, or the whole membership
 * replaced. Nothing changes a version once it is written; a change that adds and removes nothing writes no version.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {DatasetCase} from "../../src/core/schemas/dataset.js";
import {latestVersion, readDatasetCases, writeDatasetVersion} from "../store/datasets.js";

export interface VersionChange {
  name: string;
  add?: readonly DatasetCase[];
  removeIds?: readonly string[];
  /** The new version holds exactly `add`. */
  replaceAll?: boolean;
  createdBy: string;
  source: string;
  note: string | null;
  now: Date;
}

export interface VersionWritten {
  name: string;
  /** Null when the change added and removed nothing. */
  version: number | null;
  cases: DatasetCase[];
  added: number;
  removed: number;
  /** Ids asked to be removed that the latest version does not hold. */
  unknownIds: string[];
}

export async function writeNextVersion(connection: DuckDBConnection, change: VersionChange): Promise<VersionWritten> {
  const latest = await latestVersion(connection, change.name);
  const previous = latest === null ? [] : (await readDatasetCases(connection, change.name, latest)).cases;
  // A case the dataset already holds exactly as given is no change: re-importing a file writes no version.
  const text = (c: DatasetCase) => JSON.stringify(c);
  const before = new Map(previous.map((c) => [c.caseId, text(c)]));
  const removing = new Set(change.removeIds ?? []);
  const unknownIds = [...removing].filter((id) => !before.has(id));
  let cases: DatasetCase[];
  if (change.replaceAll) {
    cases = [...(change.add ?? [])];
  } else {
    const add = (change.add ?? []).filter((c) => before.get(c.caseId) !== text(c));
    const incoming = new Set(add.map((c) => c.caseId));
    cases = [...previous.filter((c) => !removing.has(c.caseId) && !incoming.has(c.caseId)), ...add];
  }
  const after = new Set(cases.map(text));
  const added = cases.filter((c) => before.get(c.caseId) !== text(c)).length;
  const removed = previous.filter((c) => !after.has(text(c))).length;
  if (!added && !removed && cases.length === previous.length)
    return {name: change.name, version: null, cases: previous, added: 0, removed: 0, unknownIds};
  const version = await writeDatasetVersion(connection, {
    name: change.name,
    cases,
    createdBy: change.createdBy,
    source: change.source,
    note: change.note,
    added,
    removed,
    createdAt: change.now
  });
  return {name: change.name, version, cases, added, removed, unknownIds};
}
