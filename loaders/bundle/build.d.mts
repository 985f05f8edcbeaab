export const COMMAND_ENTRIES: Record<string, string>;

export interface BuildOptions {
  /** The project folder: sources are named relative to it, and dependencies resolve from its node_modules. */
  root: string;
  /** The build folder, inside `root`. */
  buildDir: string;
  /** Entry points, name → source relative to `root` (default: the command, the ingest worker and the data loaders). */
  entries?: Record<string, string>;
  /** Collect each verb's help text from the entry named `main` (default true). */
  help?: boolean;
}

export function buildCommand(options: BuildOptions): Promise<string>;
/** The project's data loaders (`src/data/*.ts`) as build entries: `data/<name>` → `src/data/<name>.ts`. */
export function dataLoaderEntries(root: string): Record<string, string>;
export function buildFailure(error: unknown): string;
