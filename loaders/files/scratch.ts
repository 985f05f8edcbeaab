/**
 * @module Scratch folders named after the process that made them, so that what a killed process left behind can be
 * told from what a running one still uses, and removed by the next run.
 *
 * A scratch folder is `<dir>/<prefix><pid>-<random>`. A process that is killed (or runs out of memory) never reaches
 * its `finally`, and its staged rows (hundreds of MB for a large ingest) would stay for good; the next process that
 * makes a folder of the same kind removes the folders whose process is gone. A live process's folder is never
 * touched: one whose pid belongs to a running process is kept even when that process is another program that reused
 * the pid, which only delays its removal to a later run. Process ids are this machine's; the ingest removes folders
 * only while it holds the store's write lock, which keeps every other process, here or elsewhere, from opening the store.
 */
import {mkdtempSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";

/** A new scratch folder in `dir`, named after this process. */
export function makeScratchFolder(dir: string, prefix: string): string {
  return mkdtempSync(join(dir, `${prefix}${process.pid}-`));
}

/** Whether a process with this id is running (a process of another user counts as running). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the scratch folders in `dir` with one of `prefixes` whose process has ended; returns the removed paths.
 * Folders of running processes, and names that carry no pid, are left alone. Never throws: a folder that cannot be
 * listed or removed is left for a later run.
 */
export function removeAbandonedScratch(
  dir: string,
  prefixes: readonly string[],
  alive: (pid: number) => boolean = processAlive
): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const prefix = prefixes.find((p) => entry.startsWith(p));
    if (prefix === undefined) continue;
    const pid = /^(\d+)-/.exec(entry.slice(prefix.length))?.[1];
    if (pid === undefined || alive(Number(pid))) continue;
    try {
      rmSync(join(dir, entry), {recursive: true, force: true});
      removed.push(join(dir, entry));
    } catch {
      // Removed by its owner meanwhile, or not ours to remove: a later run tries again.
    }
  }
  return removed;
}

/** The prefixes of the scratch folders the ingest and the detail pack make in a workspace. */
export const STAGING_PREFIX = ".staging-";
export const DETAIL_PACK_PREFIX = ".detail-pack-";
export const WORKSPACE_SCRATCH_PREFIXES = [STAGING_PREFIX, DETAIL_PACK_PREFIX] as const;
