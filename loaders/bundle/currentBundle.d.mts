export interface BundleManifest {
  /** Source files, relative to the project folder. */
  inputs: string[];
  hash: string;
  /** The bundle's folder, inside the cache folder. */
  dir: string;
}
export const COMMAND_BUNDLE: string;
export function cacheDirOf(root: string, env?: NodeJS.ProcessEnv): string;
export function hashInputs(root: string, inputs: readonly string[]): string;
export function manifestPath(cacheDir: string, name: string): string;
export function currentBundle(root: string, cacheDir: string, name: string): string | null;
