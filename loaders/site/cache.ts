/**
 * @module Keeps Framework's data loader cache from hiding a changed workspace.
 *
 * Framework decides whether a loader's cached output is fresh from the loader file alone: `observable build`
 * reuses any cached output that exists, and `observable preview` reruns a loader only when the loader file is
 * newer than its output. Neither knows that the loaders read the workspace's DuckDB file. So whoever changes the
 * workspace calls `invalidateLoaderCache`, and the app's config calls `invalidateIfWorkspaceChanged` each time
 * Framework loads it, which catches a workspace changed behind our back or a different PLUMBLINE_WORKSPACE.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync
} from "node:fs";
import {join, resolve} from "node:path";

/** Where Framework keeps its caches, under the source root (`src/` in this repository). */
export function cacheDir(sourceRoot: string): string {
  return join(sourceRoot, ".observablehq", "cache");
}

const STAMP = "plumbline-workspace.json";

/**
 * Set by `plumbline start` on its page server's process: the cache is being served, so an invalidated output is
 * marked stale rather than deleted (see `invalidateLoaderCache`).
 */
export const SERVED_ENV = "PLUMBLINE_CACHE_SERVED";

export interface InvalidateOptions {
  /**
   * A page server may be sending the cached files right now. Deleting one between Framework finding it and sending
   * it answered that request 404 (the live Traces page's detail file, as spans arrived). So each output's
   * modification time is set to the epoch instead: the preview reruns a loader whose output is older than the
   * loader file and renames the new output over the old one, which leaves a file being sent whole. Defaults to
   * whether this process is the page server.
   */
  served?: boolean;
}

/**
 * Invalidates every cached loader output under `sourceRoot` (the Framework `root`, e.g. `<repo>/src`), so the next
 * build or page view reruns the loaders. Framework's own caches, whose names start with an underscore (`_npm`,
 * `_observablehq`, …), are kept: they depend on package versions, not on the workspace.
 */
export function invalidateLoaderCache(sourceRoot: string, options: InvalidateOptions = {}): void {
  const served = options.served ?? process.env[SERVED_ENV] === "1";
  const dir = cacheDir(sourceRoot);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.startsWith("_")) continue;
    if (served) {
      if (entry !== STAMP) markStale(join(dir, entry));
    } else rmSync(join(dir, entry), {recursive: true, force: true});
  }
}

function markStale(path: string): void {
  try {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) markStale(join(path, name));
    else utimesSync(path, STALE, STALE);
  } catch {
    // Gone meanwhile (a loader's temporary file renamed): nothing left to mark.
  }
}

/** The modification time of an output marked stale. */
const STALE = new Date(0);

/**
 * Deletes the outputs marked stale under `sourceRoot`: a build takes any cached output as it is (Framework's
 * `useStale`), so one marked stale while a page server ran must not outlive it into a build.
 */
export function dropStaleOutputs(sourceRoot: string): void {
  const walk = (path: string): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (stat.mtimeMs === STALE.getTime()) rmSync(path, {force: true});
  };
  const dir = cacheDir(sourceRoot);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) if (!entry.startsWith("_") && entry !== STAMP) walk(join(dir, entry));
}

/**
 * Clears the loader cache under `sourceRoot` after `workspace` changed, unless the cache was built from another
 * workspace: its outputs do not depend on this one, and the config clears them anyway when a build or preview
 * next runs on this one. So a command run on a scratch workspace leaves a preview of the main one alone. A cache
 * with no stamp is of unknown origin and is cleared.
 */
export function invalidateLoaderCacheFor(
  sourceRoot: string,
  workspace: string,
  options: InvalidateOptions = {}
): boolean {
  let builtFrom: unknown;
  try {
    builtFrom = (JSON.parse(readStamp(sourceRoot) ?? "null") as {workspace?: unknown} | null)?.workspace;
  } catch {
    builtFrom = undefined;
  }
  if (typeof builtFrom === "string") {
    const changed = new Set([realWorkspace(workspace), resolve(workspace)]);
    if (!changed.has(realWorkspace(builtFrom)) && !changed.has(resolve(builtFrom))) return false;
  }
  invalidateLoaderCache(sourceRoot, options);
  return true;
}

function realWorkspace(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch {
    return workspace;
  }
}

/**
 * Names the workspace's state: its real path and the size and modification time of each file directly inside it
 * (the DuckDB file, its write-ahead log, annotation logs). Any write by DuckDB changes at least one of them.
 */
export function workspaceFingerprint(workspace: string): string {
  if (!existsSync(workspace)) return JSON.stringify({workspace, missing: true});
  const files: [string, number, number][] = [];
  for (const name of readdirSync(workspace).sort()) {
    const stat = statSync(join(workspace, name));
    if (stat.isFile()) files.push([name, stat.size, stat.mtimeMs]);
  }
  return JSON.stringify({workspace: realpathSync(workspace), files});
}

/**
 * Clears the loader cache when the workspace differs from the one the cache was built from, then records the
 * current one. Returns whether it cleared anything.
 */
export function invalidateIfWorkspaceChanged(sourceRoot: string, workspace: string): boolean {
  if (process.env[SERVED_ENV] !== "1") dropStaleOutputs(sourceRoot);
  const current = workspaceFingerprint(workspace);
  // No stamp: a cache of unknown origin, so it is treated as stale.
  const changed = readStamp(sourceRoot) !== current;
  if (changed) invalidateLoaderCache(sourceRoot);
  mkdirSync(cacheDir(sourceRoot), {recursive: true});
  writeFileSync(join(cacheDir(sourceRoot), STAMP), current);
  return changed;
}

/** The fingerprint of the workspace the cache was built from (`workspaceFingerprint`), or null when unknown. */
function readStamp(sourceRoot: string): string | null {
  try {
    return readFileSync(join(cacheDir(sourceRoot), STAMP), "utf8");
  } catch {
    return null;
  }
}
