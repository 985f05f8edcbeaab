/**
 * @module Which of today's test files hold the tests an earlier commit had: the "same coverage" that the suite
 * benchmark times against that commit's whole suite. A test file still at its path is itself; one git saw renamed
 * is its new path; one deleted without a rename (split into several, say) is every test file now in its folder.
 * Each of today's files holds at least the old file's tests, and often more, so the figure leans against today's code.
 */

export interface SameCoverage {
  /** Today's test files, sorted. */
  files: string[];
  /** Old paths followed to new ones: through a rename git found, or to their folder's files. */
  followed: {from: string; to: string[]; how: "renamed" | "folder"}[];
  /** Old test files that nothing today stands for. */
  lost: string[];
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);

/**
 * `oldFiles`: the test files at the earlier commit; `nameStatus`: `git diff --name-status -M` from it to today,
 * limited to test files; `currentFiles`: today's test files.
 */
export function sameCoverage(
  oldFiles: readonly string[],
  nameStatus: string,
  currentFiles: readonly string[]
): SameCoverage {
  const current = new Set(currentFiles);
  const renamed = new Map<string, string>();
  for (const line of nameStatus.split("\n")) {
    const [status, from, to] = line.split("\t");
    if (status?.startsWith("R") && from && to) renamed.set(from, to);
  }
  const files = new Set<string>();
  const followed: SameCoverage["followed"] = [];
  const lost: string[] = [];
  for (const file of oldFiles) {
    if (current.has(file)) {
      files.add(file);
      continue;
    }
    const to = renamed.get(file);
    if (to && current.has(to)) {
      files.add(to);
      followed.push({from: file, to: [to], how: "renamed"});
      continue;
    }
    const folder = currentFiles.filter((f) => folderOf(f) === folderOf(file));
    if (folder.length) {
      folder.forEach((f) => files.add(f));
      followed.push({from: file, to: folder, how: "folder"});
    } else lost.push(file);
  }
  return {files: [...files].sort(), followed, lost};
}
