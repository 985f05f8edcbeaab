// Plain JavaScript, so the `plumbline` command can find a current bundle before any TypeScript loader exists.
import {createHash} from "node:crypto";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";

/** The bundle the `plumbline` command runs `ingest` from. */
export const COMMAND_BUNDLE = "command";

/**
 * Where bundles are kept: `PLUMBLINE_CACHE_DIR` when set (a folder inside the project, for bundles to resolve
 * their dependencies), else the project's node_modules cache.
 */
export function cacheDirOf(root, env = process.env) {
  return env.PLUMBLINE_CACHE_DIR ?? join(root, "node_modules", ".cache", "plumbline");
}

/** Hashes the named source files (paths relative to `root`) with their contents. */
export function hashInputs(root, inputs) {
  const hash = createHash("sha256");
  for (const input of inputs) {
    hash.update(input);
    hash.update("\0");
    hash.update(readFileSync(join(root, input)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export function manifestPath(cacheDir, name) {
  return join(cacheDir, `${name}.json`);
}

/** The bundle's entry file when one was built from the sources as they are now, else null. */
export function currentBundle(root, cacheDir, name) {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(cacheDir, name), "utf8"));
    const entry = join(cacheDir, manifest.dir, "entry.js");
    return hashInputs(root, manifest.inputs) === manifest.hash && existsSync(entry) ? entry : null;
  } catch {
    // No bundle yet, or one of its sources is gone.
    return null;
  }
}
