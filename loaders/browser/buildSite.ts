/**
 * @module Builds the Framework app from a throwaway copy of the project, offline, for tests and measurements.
 *
 * A copy keeps the build's loader cache and `dist/` away from the developer's own, and lets several builds run
 * against different workspaces. `node_modules` is linked, not copied. The build runs with the network guard
 * preloaded, so any request it would make to a registry or CDN fails and is recorded.
 */
import {spawn} from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {notebookTitle} from "../../src/core/notebooks/notebookPage.js";
import {buildDirOf, manifestPath, type BuildManifest} from "../bundle/currentBuild.mjs";
import {RUN_DIR_ENV} from "../fixtures/oncePerRun.js";
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

/**
 * Framework's bundles of npm packages for the pages (`.observablehq/cache/_node`), kept for the rest of a test run
 * (`oncePerRun.ts`): they depend on node_modules alone, and bundling them again is a sixth of every build.
 */
function runNodeCache(): string | null {
  const runDir = process.env[RUN_DIR_ENV];
  return runDir ? join(runDir, "framework-node-cache") : null;
}

const nodeCacheOf = (projectDir: string) => join(projectDir, "src", ".observablehq", "cache", "_node");

/** Keeps a finished build's npm bundles for the run, once: copied aside, then renamed into place whole. */
function keepNodeCache(projectDir: string): void {
  const kept = runNodeCache();
  if (!kept || existsSync(kept) || !existsSync(nodeCacheOf(projectDir))) return;
  const partial = `${kept}.${process.pid}`;
  cpSync(nodeCacheOf(projectDir), partial, {recursive: true});
  try {
    renameSync(partial, kept);
  } catch {
    // Another build of the run kept its own first.
    rmSync(partial, {recursive: true, force: true});
  }
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
  const kept = runNodeCache();
  if (kept && existsSync(kept)) cpSync(kept, nodeCacheOf(dir), {recursive: true});
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
  keepNodeCache(projectDir);
  return {projectDir, distDir: join(projectDir, "dist"), networkRequests, output, elapsedMs: performance.now() - start};
}
