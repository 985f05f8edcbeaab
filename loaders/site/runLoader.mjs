/**
 * @module Runs one of the pages' or the notebooks' data loaders: `node loaders/site/runLoader.mjs
 * src/data/<name>.ts` (or `src/notebooks/data/<name>.ts`), the command Framework runs for a `.ts` loader (see
 * observablehq.config.ts).
 *
 * A loader runs from the command's build (dist-cli/, which holds every loader; see loaders/bundle/build.mjs)
 * when that build is current, and from its TypeScript source through tsx otherwise (a source edited since the
 * build, PLUMBLINE_DEV=1, a loader the build does not know). The build saves each loader about 0.6 s of CPU,
 * the TypeScript loader's start and its transforms; a `plumbline build` runs seventeen. Plain JavaScript, so
 * that it starts without a TypeScript loader.
 */
import {posix, relative, resolve, sep} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {
  buildDirOf,
  builtDataLoader,
  currentBuild,
  DATA_LOADER_FOLDERS,
  setProjectRoot
} from "../bundle/currentBuild.mjs";

const [loader] = process.argv.slice(2);
if (!loader) {
  process.stderr.write("usage: node loaders/site/runLoader.mjs src/data/<name>.ts\n");
  process.exit(2);
}
const root = fileURLToPath(new URL("../..", import.meta.url));
const source = resolve(loader);
// The loader's path under src/ (e.g. "data/summary.json.ts"), when it is in a folder the build holds loaders of.
const path = relative(resolve(root, "src"), source).split(sep).join("/");
const build =
  process.env.PLUMBLINE_DEV !== "1" && DATA_LOADER_FOLDERS.includes(posix.dirname(path))
    ? await currentBuild(root, buildDirOf(root))
    : null;
const built = build && builtDataLoader(build, path);
if (built) {
  setProjectRoot(root);
  await import(pathToFileURL(built).href);
} else {
  const {register} = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
}
