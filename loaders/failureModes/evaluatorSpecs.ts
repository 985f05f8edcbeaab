/**
 * @module Which evaluators target which failure mode, read from `evaluators/*.json`. The spec format belongs to
 * the evaluator side; only the three fields needed here are read, and anything else in a spec is ignored, so
 * this keeps working as that format grows. A file that lacks them is reported and skipped.
 */
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {z} from "zod";
import {issueText} from "../../src/core/schemas/issues.js";

const SpecFieldsSchema = z.looseObject({id: z.string().min(1), failureMode: z.string().min(1), criterion: z.string()});

export interface EvaluatorLink {
  id: string;
  failureMode: string;
  criterion: string;
  file: string;
}

export function readEvaluatorLinks(dir: string): {links: EvaluatorLink[]; problems: string[]} {
  if (!existsSync(dir)) return {links: [], problems: []};
  const links: EvaluatorLink[] = [];
  const problems: string[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const file = join(dir, name);
    try {
      const spec = SpecFieldsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
      links.push({id: spec.id, failureMode: spec.failureMode.trim(), criterion: spec.criterion, file});
    } catch (error) {
      const reason = error instanceof z.ZodError ? issueText(error) : (error as Error).message;
      problems.push(`${file}: skipped, ${reason}`);
    }
  }
  return {links, problems};
}
