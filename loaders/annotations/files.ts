/**
 * @module The workspace's rubric and queue files. Each is JSON written whole to a temporary file and renamed
 * over the old one, so a reader sees either the old file or the new one, never half of either.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {DEFAULT_RUBRIC} from "../../src/core/annotations/defaultRubric.js";
import {parseRubric, type Rubric} from "../../src/core/schemas/rubric.js";
import {parseQueue, type Queue} from "../../src/core/schemas/queue.js";
import {annotationDir} from "./log.js";

export function rubricPath(workspace: string): string {
  return join(annotationDir(workspace), "rubric.json");
}

export function queueDir(workspace: string): string {
  return join(annotationDir(workspace), "queues");
}

export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(join(file, ".."), {recursive: true});
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(value, null, 2) + "\n");
  renameSync(temp, file);
}

/** The workspace's rubric, or the default one when it has none yet. A broken file is an error, not a default. */
export function readRubric(workspace: string): Rubric {
  const file = rubricPath(workspace);
  if (!existsSync(file)) return DEFAULT_RUBRIC;
  try {
    return parseRubric(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

export function writeRubric(workspace: string, rubric: Rubric): void {
  writeJsonAtomic(rubricPath(workspace), rubric);
}

export interface QueueRead {
  queues: Queue[];
  problems: {file: string; reason: string}[];
}

/** Every queue of the workspace; a file that does not parse is reported and left out. */
export function readQueues(workspace: string): QueueRead {
  const dir = queueDir(workspace);
  if (!existsSync(dir)) return {queues: [], problems: []};
  const out: QueueRead = {queues: [], problems: []};
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const file = join(dir, name);
    try {
      out.queues.push(parseQueue(JSON.parse(readFileSync(file, "utf8"))));
    } catch (error) {
      out.problems.push({file, reason: (error as Error).message});
    }
  }
  return out;
}

export function writeQueue(workspace: string, queue: Queue): void {
  writeJsonAtomic(join(queueDir(workspace), `${queue.id}.json`), queue);
}
