/**
 * @module Finds the command's current build, the check `plumbline` makes on every start. Plain JavaScript, so it
 * runs before any TypeScript loader or bundler is loaded.
 *
 * The build's manifest names every source it was built from, each with its size, modification time and, for the
 * whole set, a hash of their contents. Every start compares sizes and times, one `stat` per source (a
 * millisecond or two for the two hundred of them); only when one differs are the contents hashed, so that a
 * checkout or a copy that touched files without changing them does not cost a rebuild. A source that changed or
 * went missing makes the build stale.
 */
import {existsSync, readFileSync, renameSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {pathToFileURL} from "node:url";

/**
 * The command's build folder: `dist-cli/`, or the folder `PLUMBLINE_CLI_BUILD` names (the tests keep a private
 * one). Inside the project, so that the build's imports resolve from the project's node_modules.
 */
export function buildDirOf(root, env = process.env) {
  return env.PLUMBLINE_CLI_BUILD || join(root, "dist-cli");
}

/** The global under which a launcher names the project a build runs in (see keepModuleUrls in build.mjs). */
export const PROJECT_ROOT_KEY = "plumbline.projectRoot";

/** Names `root` as the project that built code loaded from now on runs in. */
export function setProjectRoot(root) {
  globalThis[Symbol.for(PROJECT_ROOT_KEY)] = pathToFileURL(join(root, "/")).href;
}

/** The folders under src/ that hold the data loaders the repository ships: the pages' and the notebooks'. */
export const DATA_LOADER_FOLDERS = ["data", "notebooks/data"];

/**
 * The built module of the data loader at `path` under src/ (e.g. `data/summary.json.ts`) in `build`, or null: a
 * loader the build does not hold (one added since, or a user's own) runs from its source.
 */
export function builtDataLoader(build, path) {
  if (!path.endsWith(".ts")) return null;
  const built = join(build.dir, `${path.slice(0, -".ts".length)}.js`);
  return existsSync(built) ? built : null;
}

export function manifestPath(buildDir) {
  return join(buildDir, "manifest.json");
}

/** The size and modification time of each named source (relative to `root`); throws when one is missing. */
export function stampInputs(root, inputs) {
  return inputs.map((input) => {
    const stats = statSync(join(root, input));
    return [input, stats.size, stats.mtimeMs];
  });
}

/** Hashes the named sources (relative to `root`) with their contents. */
export async function hashInputs(root, inputs) {
  const {createHash} = await import("node:crypto");
  const hash = createHash("sha256");
  for (const input of inputs) {
    hash.update(input);
    hash.update("\0");
    hash.update(readFileSync(join(root, input)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * A worker thread's script: its file in the command's build (`name`, a field of the build) when that build is
 * current, else `source`, its sources run through the TypeScript loader.
 */
export async function workerScriptOf(root, env, name, source) {
  const build = await currentBuild(root, buildDirOf(root, env));
  return build ? pathToFileURL(build[name]) : source;
}

/** The build's files when it was built from the sources as they are now, else null. */
export async function currentBuild(root, buildDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(buildDir), "utf8"));
  } catch {
    return null;
  }
  const dir = join(buildDir, manifest.dir);
  const build = {
    dir,
    main: join(dir, "main.js"),
    worker: join(dir, "worker.js"),
    lensWorker: join(dir, "lensWorker.js"),
    help: join(dir, "help.json")
  };
  if (!existsSync(build.main)) return null;
  let stamps;
  try {
    stamps = stampInputs(
      root,
      manifest.stamps.map(([input]) => input)
    );
  } catch {
    // A source is gone.
    return null;
  }
  if (stamps.every(([, size, mtimeMs], i) => size === manifest.stamps[i][1] && mtimeMs === manifest.stamps[i][2]))
    return build;
  if (
    (await hashInputs(
      root,
      stamps.map(([input]) => input)
    )) !== manifest.hash
  )
    return null;
  // Touched but unchanged: remember the new times, so the next start is back to the quick comparison.
  try {
    const temporary = `${manifestPath(buildDir)}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({...manifest, stamps}));
    renameSync(temporary, manifestPath(buildDir));
  } catch {
    // A read-only install keeps hashing; it is still correct.
  }
  return build;
}
