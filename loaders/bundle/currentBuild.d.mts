/** A source's path relative to the project, its size in bytes and its modification time in milliseconds. */
export type Stamp = [input: string, size: number, mtimeMs: number];

export interface BuildManifest {
  /** The build's version folder, inside the build folder. */
  dir: string;
  /** The hash of every source's path and contents, in the order of `stamps`. */
  hash: string;
  stamps: Stamp[];
}

export interface Build {
  dir: string;
  /** The command's entry module (exports `main`). */
  main: string;
  /** The ingest worker threads' script. */
  worker: string;
  /** The script of the thread that fits the topic lens (loaders/clusters/lensWorker.ts). */
  lensWorker: string;
  /** The help texts, written at build time: `{main, verbs: {name: text}}`. */
  help: string;
}

export const PROJECT_ROOT_KEY: string;
export function setProjectRoot(root: string): void;
export const DATA_LOADER_FOLDERS: readonly string[];
export function builtDataLoader(build: Build, path: string): string | null;
export function buildDirOf(root: string, env?: NodeJS.ProcessEnv): string;
export function manifestPath(buildDir: string): string;
export function stampInputs(root: string, inputs: readonly string[]): Stamp[];
export function hashInputs(root: string, inputs: readonly string[]): Promise<string>;
export function currentBuild(root: string, buildDir: string): Promise<Build | null>;
export function workerScriptOf(
  root: string,
  env: NodeJS.ProcessEnv,
  name: "worker" | "lensWorker",
  source: URL
): Promise<URL>;
