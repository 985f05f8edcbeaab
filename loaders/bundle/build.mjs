/**
 * @module Builds the `plumbline` command with esbuild: every verb and the worker threads' scripts (ingest, lens),
 * from the project's TypeScript, into one folder (`dist-cli/`) that `bin/plumbline.js` runs. Plain JavaScript, so the
 * command can rebuild itself before any TypeScript loader exists.
 *
 * The build is split: the entry holds the dispatcher and each verb is a chunk of its own, imported when it runs,
 * so a command loads only its own modules. Dependencies stay imports, resolved from the project's node_modules as
 * the sources resolve them. Each verb's `--help` text is written to `help.json` at build time, by the built code
 * itself, so that `--help` answers without loading a verb's modules (DuckDB, the OpenAI client, Arrow).
 *
 * Each build goes into a folder named by the hash of its sources, written whole before the manifest points to
 * it, so a process never loads half a build and two processes building at once do not collide.
 */
import {execFileSync} from "node:child_process";
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {join, relative, sep} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {DATA_LOADER_FOLDERS, hashInputs, manifestPath, PROJECT_ROOT_KEY, stampInputs} from "./currentBuild.mjs";

/**
 * The command's entry points, relative to the project folder. The pages' data loaders (`dataLoaderEntries`) are
 * built with them, so that `plumbline start` and `plumbline build` run them without a TypeScript loader.
 */
export const COMMAND_ENTRIES = {
  main: "loaders/cli/main.ts",
  worker: "loaders/ingest/worker.ts",
  lensWorker: "loaders/clusters/lensWorker.ts"
};

const HELP_TEXTS = fileURLToPath(new URL("./helpTexts.mjs", import.meta.url));

/**
 * Modules find files next to themselves through `import.meta.url`; in a build that would name the build. Each
 * module's own URL is written in instead, relative to the project the build runs in: the launcher that loads a
 * build names that project (`setProjectRoot` in currentBuild.mjs), so a copy of the project with its build, or a
 * checkout moved elsewhere, finds its own files. Code loaded without a launcher (the ingest worker threads) gets
 * the project the build was made in.
 */
function keepModuleUrls(root) {
  return {
    name: "keep-module-urls",
    setup(build) {
      // Spelled in pieces so that this module's own source does not contain the expression it replaces.
      const moduleUrl = ["import", "meta", "url"].join(".");
      const builtIn = JSON.stringify(pathToFileURL(join(root, "/")).href);
      build.onLoad({filter: /\.ts$/}, (args) => {
        const source = readFileSync(args.path, "utf8");
        const path = JSON.stringify(relative(root, args.path).split(sep).join("/"));
        const url = `new URL(${path}, globalThis[Symbol.for(${JSON.stringify(PROJECT_ROOT_KEY)})] ?? ${builtIn}).href`;
        return {contents: source.replaceAll(moduleUrl, url), loader: "ts"};
      });
    }
  };
}

/**
 * The project's data loaders (`src/data/*.ts`, `src/notebooks/data/*.ts`), as entries named by their path under
 * src/ without `.ts` (e.g. `data/summary.json`, `notebooks/data/verdicts.arrow`).
 */
export function dataLoaderEntries(root) {
  return Object.fromEntries(
    DATA_LOADER_FOLDERS.flatMap((folder) => {
      let names = [];
      try {
        names = readdirSync(join(root, "src", folder));
      } catch {
        // A project without pages or notebooks (the build's own tests).
      }
      return names
        .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts"))
        .sort()
        .map((name) => [`${folder}/${name.slice(0, -".ts".length)}`, `src/${folder}/${name}`]);
    })
  );
}

/**
 * Builds `entries` (name → source relative to `root`) into `buildDir` and returns the new version's folder.
 * With `help`, the entry named `main` must export `main` and `verbNames`, and their help texts are collected.
 * Throws with esbuild's messages when the sources do not build.
 */
export async function buildCommand({
  root,
  buildDir,
  entries = {...COMMAND_ENTRIES, ...dataLoaderEntries(root)},
  help = true
}) {
  const {build} = await import("esbuild");
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, join(root, entry)])),
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    outdir: join(buildDir, "staging"),
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    plugins: [keepModuleUrls(root)],
    write: false,
    metafile: true,
    logLevel: "silent"
  });
  // This module and the help-text script shape the output, so a change to either makes the build stale too.
  const scripts = [fileURLToPath(import.meta.url), HELP_TEXTS]
    .map((path) => relative(root, path))
    .filter((path) => !path.startsWith(".."));
  const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...scripts])].sort();
  const stamps = stampInputs(root, inputs);
  const hash = await hashInputs(root, inputs);
  const dir = `build-${hash.slice(0, 16)}`;
  const final = join(buildDir, dir);
  const temporary = `${final}.${process.pid}.tmp`;
  rmSync(temporary, {recursive: true, force: true});
  try {
    for (const file of result.outputFiles) {
      const path = join(temporary, relative(join(buildDir, "staging"), file.path));
      mkdirSync(join(path, ".."), {recursive: true});
      writeFileSync(path, file.contents);
    }
    if (help) {
      // A child process, so that this one does not carry every verb's modules into the command it runs next.
      const texts = execFileSync(process.execPath, [HELP_TEXTS, join(temporary, "main.js")], {
        encoding: "utf8",
        maxBuffer: 1 << 26
      });
      writeFileSync(join(temporary, "help.json"), texts);
    }
    try {
      renameSync(temporary, final);
    } catch {
      // Another process built the same version first.
      rmSync(temporary, {recursive: true, force: true});
    }
  } catch (error) {
    rmSync(temporary, {recursive: true, force: true});
    throw error;
  }
  let previous = null;
  try {
    previous = JSON.parse(readFileSync(manifestPath(buildDir), "utf8")).dir;
  } catch {
    // The first build.
  }
  const manifest = manifestPath(buildDir);
  writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify({dir, hash, stamps}));
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
  // The version just replaced stays, for a command still running from it that has yet to load a verb.
  for (const entry of readdirSync(buildDir)) {
    if (entry !== dir && entry !== previous && entry.startsWith("build-") && !entry.endsWith(".tmp")) {
      rmSync(join(buildDir, entry), {recursive: true, force: true});
    }
  }
  return final;
}

/** esbuild's first error as one line, or the error's message. */
export function buildFailure(error) {
  const first = error?.errors?.[0];
  if (first) return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text;
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
