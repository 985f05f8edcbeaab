/**
 * @module Making a dataset's next version from its latest one: cases added (a case whose id the dataset already
 * holds is replaced by the new one), cases removed, or the whole membership replaced. Nothing changes a version
 * once it is written; a change that adds and removes nothing writes no version.
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
  const add = change.add ?? [];
  const incoming = new Set(add.map((c) => c.caseId));
  const removing = new Set(change.removeIds ?? []);
  const held = new Set(previous.map((c) => c.caseId));
  const unknownIds = [...removing].filter((id) => !held.has(id));
  const kept = change.replaceAll ? [] : previous.filter((c) => !removing.has(c.caseId) && !incoming.has(c.caseId));
  const cases = [...kept, ...add];
  const removed = previous.length - kept.length;
  if (!add.length && !removed) return {name: change.name, version: null, cases: previous, added: 0, removed: 0, unknownIds};
  const version = await writeDatasetVersion(connection, {
    name: change.name, cases, createdBy: change.createdBy, source: change.source, note: change.note, added: add.length, removed, createdAt: change.now
  });
  return {name: change.name, version, cases, added: add.length, removed, unknownIds};
}
