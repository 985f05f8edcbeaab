export const COMMAND_ENTRIES: Record<string, string>;

export interface BuildOptions {
  /** The project folder: sources are named relative to it, and dependencies resolve from its node_modules. */
  root: string;
  /** The build folder, inside `root`. */
  buildDir: string;
  /** Entry points, name → source relative to `root` (default: the command and the ingest worker). */
  entries?: Record<string, string>;
  /** Collect each verb's help text from the entry named `main` (default true). */
  help?: boolean;
}

export function buildCommand(options: BuildOptions): Promise<string>;
export function buildFailure(error: unknown): string;
