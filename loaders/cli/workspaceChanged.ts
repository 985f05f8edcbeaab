/**
 * @module What must happen whenever a command changes the workspace.
 *
 * Framework caches a data loader's output until the loader file itself changes, so a new ingest would be hidden
 * behind the last build's files. Every command that writes the store calls this.
 */
import {rmSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export async function afterWorkspaceChange(_workspace: string, root = PROJECT_ROOT): Promise<void> {
  rmSync(join(root, "src", ".observablehq", "cache", "data"), {recursive: true, force: true});
}
