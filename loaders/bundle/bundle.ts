/**
 * @module Cached esbuild bundles of the project's own TypeScript, for the code paths where start-up time counts:
 * the ingest command and its worker threads.
 *
 * Run from the sources, each thread compiles its modules through the TypeScript loader, which also starts a loader
 * thread of its own: about half a second of CPU per worker thread and a third of a second before an ingest starts
 * reading. A bundle loads in a tenth of that. Bundles live under `node_modules/.cache/plumbline/`, one folder per
 * version of the sources (named by their hash and written whole before the manifest points to it), and are rebuilt
 * when any source they were built from changes. When a bundle cannot be built or written (a read-only install, a
 * syntax error being fixed), callers run the sources instead.
 */
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {basename, join, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import type {Plugin} from "esbuild";
import {cacheDirOf, COMMAND_BUNDLE, currentBundle, hashInputs, manifestPath, type BundleManifest} from "./currentBundle.mjs";

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CACHE_DIR = cacheDirOf(PROJECT_ROOT);

export interface BundleOptions {
  /** The project folder: sources are named relative to it, and dependencies resolve from its node_modules. */
  root: string;
  /** The entry module, relative to `root`. */
  entry: string;
  /** Where bundles and their manifests are kept. */
  cacheDir: string;
  name: string;
}

/** The ingest worker threads' script. */
export const INGEST_WORKER: BundleOptions = {root: PROJECT_ROOT, entry: "loaders/ingest/worker.ts", cacheDir: CACHE_DIR, name: "ingest-worker"};
/** The command, for `plumbline ingest` (see `bin/plumbline.js`). */
export const COMMAND: BundleOptions = {root: PROJECT_ROOT, entry: "loaders/cli/main.ts", cacheDir: CACHE_DIR, name: COMMAND_BUNDLE};

/**
 * Modules find files next to themselves through `import.meta.url`; in a bundle that would name the bundle. Each
 * module's own URL is written in as a constant instead, so bundled code finds what its source finds.
 */
const keepModuleUrls: Plugin = {
  name: "keep-module-urls",
  setup(build) {
    // Spelled in pieces so that this module's own source does not contain the expression it replaces.
    const moduleUrl = ["import", "meta", "url"].join(".");
    build.onLoad({filter: /\.ts$/}, (args) => {
      const source = readFileSync(args.path, "utf8");
      return {contents: source.replaceAll(moduleUrl, JSON.stringify(pathToFileURL(args.path).href)), loader: "ts"};
    });
  }
};

/** Returns the bundle's entry file, building it first when its sources changed; null when it cannot be had. */
export async function bundled(options: BundleOptions): Promise<string | null> {
  const current = currentBundle(options.root, options.cacheDir, options.name);
  if (current) return current;
  try {
    const {build} = await import("esbuild");
    const result = await build({
      entryPoints: {entry: join(options.root, options.entry)},
      absWorkingDir: options.root,
      bundle: true,
      splitting: true,
      outdir: join(options.cacheDir, "staging"),
      platform: "node",
      format: "esm",
      target: "node20",
      // Dependencies stay imports, resolved from the project's node_modules as the sources resolve them.
      packages: "external",
      plugins: [keepModuleUrls],
      write: false,
      metafile: true,
      logLevel: "silent"
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    const hash = hashInputs(options.root, inputs);
    const dir = `${options.name}-${hash.slice(0, 16)}`;
    const final = join(options.cacheDir, dir);
    // Written into a private folder and renamed whole, so no process ever loads half a bundle.
    const temporary = `${final}.${process.pid}.tmp`;
    mkdirSync(temporary, {recursive: true});
    for (const file of result.outputFiles) writeFileSync(join(temporary, basename(file.path)), file.contents);
    try {
      renameSync(temporary, final);
    } catch {
      // Another process built the same version first.
      rmSync(temporary, {recursive: true, force: true});
    }
    const manifest = manifestPath(options.cacheDir, options.name);
    writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify({inputs, hash, dir} satisfies BundleManifest));
    renameSync(`${manifest}.${process.pid}.tmp`, manifest);
    removeOlderVersions(options, dir);
    return join(final, "entry.js");
  } catch {
    return null;
  }
}

function removeOlderVersions(options: BundleOptions, keep: string): void {
  for (const entry of readdirSync(options.cacheDir)) {
    if (entry !== keep && entry.startsWith(`${options.name}-`) && !entry.endsWith(".tmp")) {
      rmSync(join(options.cacheDir, entry), {recursive: true, force: true});
    }
  }
}
