/**
 * @module `<workspace>/gate-runs.jsonl`: every gate run appended as one line (`GateRunSchema`), never rewritten, so
 * the suite page can show the latest run and how runs went before it. A line that cannot be read is reported with
 * its line number and skipped; the rest still load.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {GATE_REPORT_FORMAT, GateRunSchema, type GateRun} from "../../src/core/schemas/gateReport.js";
import {issueText} from "../../src/core/schemas/issues.js";

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
  readFileSync(path, "utf8").split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return void problems.push(`${where}: not valid JSON (a torn write?); skipped`);
    }
    const format = (value as {format?: unknown} | null)?.format;
    if (typeof format === "number" && format > GATE_REPORT_FORMAT) return void problems.push(`${where}: format ${format} is newer than this Plumbline reads; skipped`);
    const parsed = GateRunSchema.safeParse(value);
    if (!parsed.success) return void problems.push(`${where}: not a gate run: ${issueText(parsed.error)}`);
    runs.push(parsed.data);
  });
  return {runs, problems};
}
