/**
 * @module A suite: every evaluator spec in a folder (`*.json`), read and versioned as `plumbline judge run` reads
 * them. Every problem is collected, file by file, so that one run of the gate names all of them; the gate refuses
 * to run on a suite with any, since a spec silently left out could let a regression through.
 */
import {existsSync, readdirSync, statSync} from "node:fs";
import {basename, join, resolve} from "node:path";
import {loadSpec, SpecError, type LoadedSpec} from "../judge/specFile.js";

export interface Suite {
  dir: string;
  specs: LoadedSpec[];
  problems: string[];
}

export function loadSuite(dir: string): Suite {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    return {dir: root, specs: [], problems: [`${root}: not a folder of evaluator specs`]};
  const specs: LoadedSpec[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const name of readdirSync(root)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    try {
      const loaded = loadSpec(join(root, name), root);
      const other = seen.get(loaded.spec.id);
      if (other) {
        problems.push(`${loaded.path}: the id ${loaded.spec.id} is also used by ${other}`);
        continue;
      }
      seen.set(loaded.spec.id, basename(loaded.path));
      specs.push(loaded);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(error.message);
    }
  }
  if (!specs.length && !problems.length) problems.push(`${root}: no evaluator specs (*.json) in this folder`);
  return {dir: root, specs, problems};
}
