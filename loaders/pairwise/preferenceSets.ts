/**
 * @module People's pairwise preferences with the texts they were given, to calibrate a pairwise judge against:
 * LLMBar (`<subset>/dataset.json`, one gold label per pair) and PandaLM (`testset-v1.json`, three annotators, 0 for
 * a tie). The calibration importers keep only the labels; a judge needs the input and both outputs too, read here
 * from the same files with the same record schemas.
 */
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {parsePythonJson} from "../../src/core/calibration/pythonJson.js";
import type {HumanPreference} from "../../src/core/pairwise/orders.js";
import type {Pair} from "../../src/core/pairwise/prompt.js";
import {LlmbarItemSchema, PandalmItemSchema, type PreferenceClass} from "../../src/core/schemas/judgmentSet.js";
import {PANDALM_FILES} from "../calibration/pandalm.js";

export interface PreferenceSet {
  format: "llmbar" | "pandalm";
  pairs: Pair[];
  humans: HumanPreference[];
  /** Records that did not match their schema, by position: left out, counted. */
  rejected: number;
}

function readArray(path: string): unknown[] {
  const {value} = parsePythonJson(readFileSync(path, "utf8"));
  if (!Array.isArray(value)) throw new Error(`${path}: expected a JSON array of items`);
  return value;
}

/** Reads a folder holding LLMBar's dataset.json or PandaLM's testset-v1.json, whichever is there. */
export function readPreferenceSet(dir: string): PreferenceSet {
  if (existsSync(join(dir, "dataset.json"))) return readLlmbarPairs(dir);
  if (existsSync(join(dir, PANDALM_FILES.humans))) return readPandalmPairs(dir);
  throw new Error(
    `${dir} holds neither an LLMBar dataset.json nor a PandaLM ${PANDALM_FILES.humans}; point at data/demo/llmbar/Natural or data/demo/pandalm`
  );
}

export function readLlmbarPairs(dir: string): PreferenceSet {
  const set: PreferenceSet = {format: "llmbar", pairs: [], humans: [], rejected: 0};
  readArray(join(dir, "dataset.json")).forEach((raw, index) => {
    const item = LlmbarItemSchema.safeParse(raw);
    if (!item.success) return void set.rejected++;
    // Item ids are positions, as the LLMBar importer numbers them, so both readings of a set name the same pairs.
    const pairId = String(index);
    set.pairs.push({pairId, input: item.data.input, output1: item.data.output_1, output2: item.data.output_2});
    set.humans.push({pairId, rater: "gold", label: item.data.label === 1 ? "1" : "2"});
  });
  return set;
}

const PANDALM_CLASS: Record<string, PreferenceClass> = {"0": "tie", "1": "1", "2": "2"};

export function readPandalmPairs(dir: string): PreferenceSet {
  const set: PreferenceSet = {format: "pandalm", pairs: [], humans: [], rejected: 0};
  for (const raw of readArray(join(dir, PANDALM_FILES.humans))) {
    const item = PandalmItemSchema.safeParse(raw);
    if (!item.success) {
      set.rejected++;
      continue;
    }
    const pairId = String(item.data.idx);
    const input = item.data.input ? `${item.data.instruction}\n\n${item.data.input}` : item.data.instruction;
    set.pairs.push({pairId, input, output1: item.data.response1, output2: item.data.response2});
    for (const rater of ["annotator1", "annotator2", "annotator3"] as const) {
      const value = item.data[rater];
      set.humans.push({pairId, rater, label: value === null ? null : PANDALM_CLASS[String(value)]!});
    }
  }
  return set;
}
