/**
 * @module The script ingest workers run: the worker's TypeScript bundled into one ES module with esbuild and
 * cached under `node_modules/.cache/plumbline/`, rebuilt when any of its sources changes.
 *
 * A worker started on the TypeScript sources compiles some twenty-five modules through the TypeScript loader and
 * starts a loader thread of its own: about half a second of CPU per worker on every ingest. The bundle loads in a
 * tenth of that. When the bundle cannot be built or written (a read-only install), workers fall back to the sources.
 */
import {createHash} from "node:crypto";
import {mkdirSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The worker's sources as TypeScript, run through the loader (the fallback). */
export const SOURCE_WORKER = new URL("./workerEntry.mjs", import.meta.url);

export interface BundleOptions {
  /** The project folder: sources are named relative to it, and dependencies resolve from its node_modules. */
  root: string;
  /** The entry module, relative to `root`. */
  entry: string;
  /** Where the bundle and its manifest are kept. */
  cacheDir: string;
  name: string;
  /** What to run when no bundle can be had. */
  fallback: URL;
}

const INGEST_WORKER: BundleOptions = {
  root: ROOT,
  entry: "loaders/ingest/worker.ts",
  cacheDir: join(ROOT, "node_modules", ".cache", "plumbline"),
  name: "ingest-worker",
  fallback: SOURCE_WORKER
};

interface Manifest {
  inputs: string[];
  hash: string;
}

function hashOf(root: string, inputs: readonly string[]): string {
  const hash = createHash("sha256");
  for (const input of inputs) {
    hash.update(input);
    hash.update("\0");
    hash.update(readFileSync(join(root, input)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Returns the bundled worker, building it first when its sources changed; the fallback when that fails. */
export async function workerScript(options: BundleOptions = INGEST_WORKER): Promise<URL> {
  const bundle = join(options.cacheDir, `${options.name}.mjs`);
  const manifestFile = join(options.cacheDir, `${options.name}.json`);
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    if (hashOf(options.root, manifest.inputs) === manifest.hash && readFileSync(bundle).length > 0) return pathToFileURL(bundle);
  } catch {
    // No bundle yet, or one of its sources is gone: build it.
  }
  try {
    const {build} = await import("esbuild");
    const result = await build({
      entryPoints: [join(options.root, options.entry)],
      absWorkingDir: options.root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // Dependencies stay imports, resolved from the project's node_modules as the sources resolve them.
      packages: "external",
      write: false,
      metafile: true,
      logLevel: "silent"
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    mkdirSync(options.cacheDir, {recursive: true});
    // Written under temporary names and renamed, so a concurrent ingest never loads half a bundle.
    const suffix = `.${process.pid}.tmp`;
    writeFileSync(bundle + suffix, result.outputFiles[0]!.contents);
    renameSync(bundle + suffix, bundle);
    writeFileSync(manifestFile + suffix, JSON.stringify({inputs, hash: hashOf(options.root, inputs)} satisfies Manifest));
    renameSync(manifestFile + suffix, manifestFile);
    return pathToFileURL(bundle);
  } catch {
    return options.fallback;
  }
}
