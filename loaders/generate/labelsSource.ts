/**
 * @module How a generated spec names the workspace its labels came from. The spec is committed and read on other
 * machines, so it names a workspace inside the repository by its path relative to the repository (`data`) and
 * one outside it not at all: an absolute path would leak a user's home folder and mean nothing elsewhere.
 */
import {isAbsolute, relative, sep} from "node:path";

export function workspaceInSpec(workspace: string, projectRoot: string): string {
  const inside = relative(projectRoot, workspace);
  if (inside === "") return "workspace at the repository's root";
  if (isAbsolute(inside) || inside === ".." || inside.startsWith(`..${sep}`))
    return "a workspace outside the repository";
  return `workspace ${inside.split(sep).join("/")}`;
}
