/**
 * @module The two writes on the registry — promote a cluster (or a name) to a failure mode, and move a mode to
 * another state — shared by the CLI and the API routes. Each checks its input against the store and the
 * lifecycle, appends one event, then rebuilds the failure_modes mirror.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {checkMove} from "../../src/core/failureModes/lifecycle.js";
import {FailureModeNameSchema, type FailureModeState, type PromoteEvent} from "../../src/core/schemas/failureMode.js";
import {PlumblineError} from "../errors.js";
import {withConnection} from "../store/db.js";
import {readClusterLink, replaceFailureModes} from "../store/failureModeStore.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import {appendEvent, eventLogPath} from "./eventLog.js";
import {loadRegistry, type FailureModeView, type RegistryOptions} from "./registry.js";

/** A request the registry refuses, with the reason in words a person can act on. */
export class FailureModeError extends PlumblineError {
  override readonly name = "FailureModeError";
}

export type ActionOptions = Omit<RegistryOptions, "workspace"> & {workspace: string};

/** Rebuilds the failure_modes mirror from the event file and the store; clustering calls it as memberships change. */
export async function mirror(connection: DuckDBConnection, options: ActionOptions): Promise<FailureModeView[]> {
  const {modes} = await loadRegistry(connection, options);
  await replaceFailureModes(connection, modes);
  return modes;
}

function parseName(name: string): string {
  const parsed = FailureModeNameSchema.safeParse(name);
  if (!parsed.success) throw new FailureModeError(`invalid failure-mode name: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export async function promote(
  options: ActionOptions,
  request: {name: string; description: string | null; clusterId: string | null}
): Promise<FailureModeView> {
  const name = parseName(request.name);
  const modes = await withConnection(options.workspace, async (connection) => {
    let cluster: PromoteEvent["cluster"] = null;
    if (request.clusterId !== null) {
      const link = await readClusterLink(connection, request.clusterId);
      if (!link)
        throw new FailureModeError(
          `no cluster ${request.clusterId} in the workspace; run \`plumbline cluster\` and pick an id from the Clusters page`
        );
      const {name: _, ...rest} = link;
      cluster = rest;
    }
    appendEvent(eventLogPath(options.workspace), {
      version: 1,
      type: "promote",
      at: new Date(options.now).toISOString(),
      name,
      description: request.description?.trim() || null,
      cluster
    });
    return mirror(connection, options);
  });
  await afterWorkspaceChange(options.workspace);
  return modes.find((m) => m.name === name)!;
}

export async function setState(
  options: ActionOptions,
  request: {name: string; state: FailureModeState; note: string | null}
): Promise<FailureModeView> {
  const name = parseName(request.name);
  const modes = await withConnection(options.workspace, async (connection) => {
    const {modes: current} = await loadRegistry(connection, options);
    const mode = current.find((m) => m.name === name);
    if (!mode)
      throw new FailureModeError(
        `no failure mode named ${JSON.stringify(name)}; \`plumbline failure-mode list\` shows them`
      );
    const problem = checkMove(mode.state, request.state);
    if (problem) throw new FailureModeError(problem);
    const at = new Date(options.now).toISOString();
    const log = eventLogPath(options.workspace);
    // A name so far known only from labels is registered first, so that its history starts where people found it.
    if (!mode.registered) appendEvent(log, {version: 1, type: "promote", at, name, description: null, cluster: null});
    appendEvent(log, {
      version: 1,
      type: "set-state",
      at,
      name,
      state: request.state,
      note: request.note?.trim() || null
    });
    return mirror(connection, options);
  });
  await afterWorkspaceChange(options.workspace);
  return modes.find((m) => m.name === name)!;
}

export async function listModes(options: ActionOptions): Promise<{modes: FailureModeView[]; problems: string[]}> {
  return withConnection(options.workspace, async (connection) => {
    const result = await loadRegistry(connection, options);
    await replaceFailureModes(connection, result.modes);
    return result;
  });
}
