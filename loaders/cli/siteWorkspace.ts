/**
 * @module The workspace `plumbline start` and `plumbline build` show. The bundled demo is built only into the
 * default workspace (the repository's data/, where `npm start` looks) or when `--demo` asks for it: a folder the
 * user names is theirs, and gets an empty store rather than the demo's traces mixed into it.
 */
import {existsSync} from "node:fs";
import {resolve} from "node:path";
import {dbPath, withConnection, workspaceDir} from "../store/db.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import type {Io} from "./command.js";
import {ensureDemoWorkspace} from "./demoCommand.js";

export interface SitePlan {
  /** The workspace folder, absolute. */
  workspace: string;
  /** Whether the demo is built into it: it has no store yet, and it is the default workspace or `--demo` was given. */
  demo: boolean;
}

/**
 * Which workspace to show and whether the demo fills it: `named` is `--workspace`, else $PLUMBLINE_WORKSPACE, else
 * the default workspace (data/, which tests replace with a folder of their own).
 */
export function sitePlan(
  named: string | undefined,
  demo: boolean,
  env: NodeJS.ProcessEnv,
  defaultWorkspace = workspaceDir({})
): SitePlan {
  const workspace = resolve(named ?? env.PLUMBLINE_WORKSPACE ?? defaultWorkspace);
  if (existsSync(dbPath(workspace))) return {workspace, demo: false};
  return {workspace, demo: demo || workspace === resolve(defaultWorkspace)};
}

/**
 * Makes the workspace ready to show, with no stale loader output: the demo when the plan says so, else an empty
 * store when there is none, with what to do next. `buildDemo` is `ensureDemoWorkspace`, passed in for tests.
 */
export async function prepareWorkspace(
  plan: SitePlan,
  io: Io,
  buildDemo: (workspace: string, log: (line: string) => void) => Promise<unknown> = (workspace, log) =>
    ensureDemoWorkspace(workspace, false, log)
): Promise<string> {
  const {workspace} = plan;
  if (plan.demo) await buildDemo(workspace, (line) => io.err(line));
  else if (!existsSync(dbPath(workspace))) {
    // Created now, so that every page and the API have a store to read, empty.
    await withConnection(workspace, async () => {});
    io.err(`the workspace ${workspace} is new and empty: add traces with`);
    io.err(`  npx plumbline ingest FILE --workspace ${workspace}`);
    io.err(`or, for the bundled demo instead: npx plumbline demo --force --workspace ${workspace}`);
  }
  await afterWorkspaceChange(workspace);
  return workspace;
}
