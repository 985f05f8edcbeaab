/**
 * @module Builds the Framework app from a throwaway copy of the project, offline, for tests and measurements.
 *
 * A copy keeps the build's loader cache and `dist/` away from the developer's own, and lets several builds run
 * against different workspaces. `node_modules` is linked, not copied. The build runs with the network guard
 * preloaded, so any request it would make to a registry or CDN fails and is recorded.
 */
import {spawn} from "node:child_process";
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {notebookTitle} from "../../src/core/notebooks/notebookPage.js";
import {buildDirOf, manifestPath, type BuildManifest} from "../bundle/currentBuild.mjs";
import {oncePerRun, RUN_DIR_ENV} from "../fixtures/oncePerRun.js";
import {tempDir} from "../fixtures/tempDir.js";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const GUARD = fileURLToPath(new URL("./networkGuard.mjs", import.meta.url));

/** What the project copy needs besides `node_modules`. */
const PROJECT_FILES = ["package.json", "tsconfig.json", "observablehq.config.ts", "src", "loaders", "evaluators"];

export interface BuiltSite {
  projectDir: string;
  distDir: string;
  /** Every non-loopback URL the build tried to fetch. */
  networkRequests: string[];
  output: string;
  elapsedMs: number;
}

const nodeCacheOf = (projectDir: string) => join(projectDir, "src", ".observablehq", "cache", "_node");

/**
 * What the pages' client code (the pages, the notebooks and the components of src/, not its data loaders) takes
 * from node_modules, as lines of a page that takes the same: each package imported by name, and each file of one
 * named with `import.meta.resolve` (which Framework copies, or bundles when it is JavaScript).
 */
function pageNodeImports(src: string): string[] {
  const sources = [
    ...readdirSync(src).filter((name) => name.endsWith(".md")),
    ...readdirSync(join(src, "notebooks"))
      .filter((name) => name.endsWith(".md"))
      .map((name) => join("notebooks", name)),
    ...readdirSync(join(src, "components"))
      .filter((name) => /\.[jt]s$/.test(name) && !name.endsWith(".test.ts"))
      .map((name) => join("components", name))
  ];
  const imported = new Set<string>();
  const resolved = new Set<string>();
  for (const file of sources) {
    const text = readFileSync(join(src, file), "utf8");
    for (const [, name] of text.matchAll(/\bfrom\s+"([^".\/:][^":]*)"/g)) imported.add(name!);
    for (const [, name] of text.matchAll(/import\.meta\.resolve\("([^".\/:][^":]*)"\)/g)) resolved.add(name!);
  }
  return [
    ...[...imported].sort().map((name, i) => `import * as p${i} from "${name}";`),
    ...[...resolved].sort().map((name) => `import.meta.resolve("${name}");`)
  ];
}

/**
 * Framework's bundles of the npm packages the pages import (`.observablehq/cache/_node`), made once per test run
 * (`oncePerRun.ts`) by a build of one page that takes all of them (see pageNodeImports), and copied into each build's project: they depend
 * on node_modules alone, and bundling them is a third of a build of the whole site. Made before any build rather
 * than kept from the first to finish, since the run's first builds start together and each would bundle its own.
 * Null outside a test run, or when making them failed (each build then bundles what it needs, as Framework does).
 */
async function runNodeBundles(): Promise<string | null> {
  if (!process.env[RUN_DIR_ENV]) return null;
  const made = oncePerRun("framework-node-bundles", async (root) => {
    const project = copyProject(REPO_ROOT, join(root, "project"));
    keepOnly(project, []);
    const code = pageNodeImports(join(REPO_ROOT, "src")).join("\n");
    writeFileSync(join(project, "src", "index.md"), `# npm bundles\n\n\`\`\`js\n${code}\n\`\`\`\n`);
    await observableBuild(project, join(root, "workspace"));
    return {dir: nodeCacheOf(project)};
  });
  return made.then(
    ({dir}) => dir,
    () => null
  );
}

/**
 * Copies the command's current build (dist-cli/: its manifest and the version it names), whose data loaders the
 * site's build runs (loaders/site/runLoader.mjs). Without one, the copy's loaders run through tsx.
 */
function copyCommandBuild(from: string, into: string): void {
  const buildDir = buildDirOf(from, {});
  if (!existsSync(manifestPath(buildDir))) return;
  const {dir} = JSON.parse(readFileSync(manifestPath(buildDir), "utf8")) as BuildManifest;
  if (!existsSync(join(buildDir, dir))) return;
  const copy = buildDirOf(into, {});
  cpSync(join(buildDir, dir), join(copy, dir), {recursive: true});
  cpSync(manifestPath(buildDir), manifestPath(copy));
}

/**
 * Copies the project (without caches or build output) into `into`, by default a new temporary folder removed when
 * the process exits, and returns its path.
 */
export function copyProject(from = REPO_ROOT, into?: string): string {
  const dir = into ?? tempDir("site");
  mkdirSync(dir, {recursive: true});
  for (const name of PROJECT_FILES) {
    cpSync(join(from, name), join(dir, name), {
      recursive: true,
      // The sources keep their times, so that the copy of the command's build below is as current as the original.
      preserveTimestamps: true,
      filter: (source) => !/[/\\](\.observablehq|dist)$/.test(source) && !source.endsWith(".test.ts")
    });
  }
  copyCommandBuild(from, dir);
  symlinkSync(join(from, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/**
 * Keeps only `pages` (file names under src/, e.g. "traces.md" or "notebooks/weekly-report.md") of a copied project, for a test about those pages:
 * a build runs the loaders of the pages it builds, and the others' would only slow it. Framework builds every
 * page the config lists, so a plain page that loads nothing stands in for each other one.
 */
export function keepOnly(projectDir: string, pages: readonly string[]): void {
  const src = join(projectDir, "src");
  for (const name of readdirSync(src))
    if (name.endsWith(".md") && !pages.includes(name)) writeFileSync(join(src, name), `# ${name}\n`);
  // The user's notebooks (src/notebooks/) are pages too, named "notebooks/<name>.md" here. A stand-in keeps its
  // notebook's title, which the navigation bar shows on every page (and so in every screenshot).
  const notebooks = join(src, "notebooks");
  if (!existsSync(notebooks)) return;
  for (const name of readdirSync(notebooks))
    if (name.endsWith(".md") && !pages.includes(`notebooks/${name}`)) {
      const file = join(notebooks, name);
      writeFileSync(file, `# ${notebookTitle(readFileSync(file, "utf8"), name.slice(0, -3))}\n`);
    }
}

/**
 * Runs `observable build` in `projectDir` against `workspace`; rejects with the build's output on failure. `env`
 * adds to the build's environment (e.g. `PLUMBLINE_NOW`, see `../site/pagesClock.ts`).
 */
export async function buildSite(
  projectDir: string,
  workspace: string,
  env: Readonly<Record<string, string>> = {}
): Promise<BuiltSite> {
  const bundles = await runNodeBundles();
  if (bundles) cpSync(bundles, nodeCacheOf(projectDir), {recursive: true});
  return observableBuild(projectDir, workspace, env);
}

/** `observable build` in `projectDir` against `workspace`, with the network guard. */
async function observableBuild(
  projectDir: string,
  workspace: string,
  env: Readonly<Record<string, string>> = {}
): Promise<BuiltSite> {
  const log = join(projectDir, "network.log");
  const start = performance.now();
  const cli = join(projectDir, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  const child = spawn(process.execPath, ["--import", GUARD, cli, "build"], {
    cwd: projectDir,
    env: {
      ...process.env,
      ...env,
      PATH: `${join(projectDir, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
      PLUMBLINE_WORKSPACE: workspace,
      PLUMBLINE_NETWORK_LOG: log,
      NO_COLOR: "1"
    },
    stdio: ["ignore", "pipe", "pipe"]
  });
  let output = "";
  child.stdout.on("data", (data: Buffer) => (output += data));
  child.stderr.on("data", (data: Buffer) => (output += data));
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  const networkRequests = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  if (code !== 0) throw new Error(`observable build exited with ${code}:\n${output}`);
  return {projectDir, distDir: join(projectDir, "dist"), networkRequests, output, elapsedMs: performance.now() - start};
}
