/**
 * @module Storing fragments that were not read from files (test fixtures, imports that build rows themselves)
 * through the same staging and merge as `plumbline ingest`, so derived trace rows never follow a second rule.
 */
import {rmSync} from "node:fs";
import {makeScratchFolder, STAGING_PREFIX} from "../files/scratch.js";
import type {Format, Fragment} from "../../src/core/schemas/trace.js";
import {withConnection} from "../store/db.js";
import {mergeStaged, type InputFile, type MergeCounts} from "./stage.js";
import {globalOrdinal, stageFragment} from "./convert.js";
import {StagingWriter} from "./stagingWriter.js";

export interface SourcedFragment {
  format: Format;
  /** Where the rows came from, stored as the traces' source file. */
  source: string;
  fragment: Fragment;
}

export async function storeFragments(workspace: string, items: readonly SourcedFragment[]): Promise<MergeCounts> {
  const stagingDir = makeScratchFolder(workspace, STAGING_PREFIX);
  try {
    const writer = new StagingWriter(stagingDir, "fragments");
    const inputs: InputFile[] = [];
    const fileIndex = new Map<string, number>();
    for (const [ordinal, {format, source, fragment}] of items.entries()) {
      const key = `${format}\u0000${source}`;
      let index = fileIndex.get(key);
      if (index === undefined) {
        index = inputs.push({path: source, format}) - 1;
        fileIndex.set(key, index);
      }
      stageFragment(fragment, globalOrdinal(index, ordinal), index, writer);
    }
    const staged = writer.close();
    return await withConnection(workspace, (connection) => mergeStaged(connection, staged, inputs, new Date()));
  } finally {
    rmSync(stagingDir, {recursive: true, force: true});
  }
}
