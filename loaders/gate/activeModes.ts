/**
 * @module The workspace's failure modes for coverage, as the registry shows them (effective states, names only
 * annotators have used included), read without taking the store's write lock.
 */
import {existsSync} from "node:fs";
import type {RegistryMode} from "../../src/core/gate/coverage.js";
import {loadRegistry} from "../failureModes/registry.js";
import {eventLogPath} from "../failureModes/eventLog.js";
import {dbPath, withReadConnection} from "../store/db.js";

export async function readRegistryModes(
  workspace: string,
  evaluatorsDir: string,
  now: number
): Promise<{modes: RegistryMode[]; problems: string[]}> {
  if (!existsSync(dbPath(workspace))) {
    return {
      modes: [],
      problems: existsSync(eventLogPath(workspace))
        ? [`${workspace}: no store yet; the failure-mode registry needs one (run \`plumbline ingest\`)`]
        : []
    };
  }
  const {modes, problems} = await withReadConnection(workspace, (connection) =>
    loadRegistry(connection, {workspace, now, evaluatorsDir})
  );
  return {modes: modes.map((m) => ({name: m.name, state: m.state})), problems};
}
