/**
 * @module What must happen whenever a command changes the workspace.
 *
 * Framework caches a data loader's output until the loader file itself changes, so a new ingest would be hidden
 * behind the last build's files. Every command that writes the store calls this; the app's config also compares
 * the workspace with the one the cache was built from, for changes made behind the command's back.
 */
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {invalidateLoaderCacheFor, type InvalidateOptions} from "../site/cache.js";

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Call after changing `workspace`: the pages' loader cache is cleared if it was built from that workspace. */
export async function afterWorkspaceChange(
  workspace: string,
  root = PROJECT_ROOT,
  options: InvalidateOptions = {}
): Promise<void> {
  invalidateLoaderCacheFor(join(root, "src"), workspace, options);
}
