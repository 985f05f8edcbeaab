/**
 * @module `<workspace>/gate-runs.jsonl`: every gate run appended as one line (`GateRunSchema`), never rewritten, so
 * the suite page can show the latest run and how runs went before it. A line that cannot be read is reported with
 * its line number and skipped; the rest still load.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {GATE_REPORT_FORMAT, GateRunSchema, type GateRun} from "../../src/core/schemas/gateReport.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {jsonLines} from "../files/jsonLines.js";

export const GATE_RUNS_FILE = "gate-runs.jsonl";

export function gateRunsPath(workspace: string): string {
  return join(workspace, GATE_RUNS_FILE);
}

export function appendGateRun(workspace: string, run: GateRun): string {
  mkdirSync(workspace, {recursive: true});
  const path = gateRunsPath(workspace);
  // One write of one whole line: a reader never sees half a run, and a torn last line is reported, not fatal.
  appendFileSync(path, `${JSON.stringify(GateRunSchema.parse(run))}\n`);
  return path;
}

export function readGateRuns(workspace: string): {runs: GateRun[]; problems: string[]} {
  const path = gateRunsPath(workspace);
  if (!existsSync(path)) return {runs: [], problems: []};
  const runs: GateRun[] = [];
  const problems: string[] = [];
  for (const entry of jsonLines(readFileSync(path, "utf8"))) {
    const where = `${path}:${entry.line}`;
    if ("error" in entry) {
      problems.push(`${where}: not valid JSON (a torn write?); skipped`);
      continue;
    }
    const value = entry.value;
    const format = (value as {format?: unknown} | null)?.format;
    if (typeof format === "number" && format > GATE_REPORT_FORMAT) {
      problems.push(`${where}: format ${format} is newer than this Plumbline reads; skipped`);
      continue;
    }
    const parsed = GateRunSchema.safeParse(value);
    if (parsed.success) runs.push(parsed.data);
    else problems.push(`${where}: not a gate run: ${issueText(parsed.error)}`);
  }
  return {runs, problems};
}
