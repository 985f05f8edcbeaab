/**
 * @module The online loop: every interval, each spec in evaluators/ that asks to run online gets a pass (see
 * pass.ts), then the workspace's automation rules are applied to what the store now holds. Specs and rules are
 * read again on every pass, so editing them takes effect without a restart. The store is opened only inside a
 * pass, briefly, never held between passes.
 */
import {existsSync, readdirSync} from "node:fs";
import {join} from "node:path";
import type {JudgeClient} from "../judge/judgeClient.js";
import type {Price} from "../judge/runner.js";
import {EVALUATORS_DIR, loadSpec, type LoadedSpec} from "../judge/specFile.js";
import {withConnection} from "../store/db.js";
import {afterWorkspaceChange} from "../workspace/changed.js";
import {applyAutomation, readAutomation, readEvidence, type RuleOutcome} from "./automation.js";
import {onlinePass, runsOnline, type PassResult} from "./pass.js";

export interface LoopOptions {
  workspace: string;
  evaluatorsDir?: string;
  /** The client for LLM judges; null with `noClient` saying why (their traces then wait). */
  client: JudgeClient | null;
  noClient?: string;
  price?: Price | null;
  concurrency?: number;
  now?: () => Date;
  /** Overrides every online spec's `quietSeconds`: how long a trace (a thread) must be quiet to be complete. */
  quietMs?: number;
  signal?: AbortSignal;
}

export interface LoopReport {
  at: Date;
  passes: PassResult[];
  rules: RuleOutcome[];
  /** Spec files that could not be read, each with its reason; they are left out, the others run. */
  problems: string[];
}

/** Every spec in the folder, and the reasons of those that do not load. */
export function readSpecs(dir = EVALUATORS_DIR): {specs: LoadedSpec[]; problems: string[]} {
  const specs: LoadedSpec[] = [];
  const problems: string[] = [];
  if (!existsSync(dir)) return {specs, problems};
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    try {
      specs.push(loadSpec(join(dir, name), dir));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return {specs, problems};
}

/** Whether any spec in the folder asks to run online (what `plumbline start` checks before starting the loop). */
export function anyOnline(dir = EVALUATORS_DIR): boolean {
  return readSpecs(dir).specs.some((s) => runsOnline(s.spec));
}

/** One turn of the loop: a pass per online spec, then the automation rules. */
export async function onlineTurn(options: LoopOptions): Promise<LoopReport> {
  const at = (options.now ?? (() => new Date()))();
  const {specs, problems} = readSpecs(options.evaluatorsDir);
  const passes: PassResult[] = [];
  for (const loaded of specs.filter((s) => runsOnline(s.spec))) {
    if (options.signal?.aborted) break;
    passes.push(
      await onlinePass({
        workspace: options.workspace,
        loaded,
        now: at,
        client: options.client,
        ...(options.noClient ? {noClient: options.noClient} : {}),
        price: options.price ?? null,
        ...(options.concurrency ? {concurrency: options.concurrency} : {}),
        ...(options.quietMs !== undefined ? {quietMs: options.quietMs} : {}),
        ...(options.signal ? {signal: options.signal} : {})
      })
    );
  }
  const automation = readAutomation(options.workspace);
  let rules: RuleOutcome[] = [];
  if (automation.rules.length) {
    const evidence = await withConnection(options.workspace, readEvidence);
    rules = applyAutomation(options.workspace, automation, evidence, specs, at);
  }
  if (passes.some((p) => p.runId !== null) || rules.some((r) => r.enqueued > 0))
    await afterWorkspaceChange(options.workspace);
  return {at, passes, rules, problems};
}

/** One line for the terminal: what a turn judged, spent and enqueued. */
export function turnLine(report: LoopReport): string {
  const time = report.at.toISOString().slice(11, 19);
  const parts = report.passes
    .filter((p) => p.candidates > 0)
    .map(
      (p) =>
        `${p.evaluatorId} ${p.pass + p.fail} judged (${p.fail} fail${p.errors ? `, ${p.errors} errors` : ""})` +
        (p.calls || p.cached ? `, ${p.calls} calls, ${p.cached} cached` : "") +
        (p.costUsd ? `, $${p.costUsd.toFixed(4)}` : "") +
        (p.note ? `; ${p.note}` : "")
    );
  const enqueued = report.rules.reduce((n, r) => n + r.enqueued, 0);
  if (enqueued)
    parts.push(
      `enqueued ${report.rules
        .filter((r) => r.enqueued)
        .map((r) => `${r.enqueued} into ${r.queue} (${r.ruleId})`)
        .join(", ")}`
    );
  const online = report.passes.length;
  return `online ${time}: ${parts.length ? parts.join("; ") : `nothing new (${online} online evaluator${online === 1 ? "" : "s"})`}`;
}

/**
 * Turns until the signal aborts, `intervalMs` apart. A turn that fails (the store busy with an ingest, a broken
 * rules file) is reported and the loop goes on: the next turn finds the same work.
 */
export async function runOnlineLoop(
  options: LoopOptions & {intervalMs: number; log: (line: string) => void}
): Promise<void> {
  const reported = new Set<string>();
  while (!options.signal?.aborted) {
    try {
      const report = await onlineTurn(options);
      // A broken spec is named once, not on every pass.
      for (const problem of report.problems) {
        if (!reported.has(problem)) options.log(`online: left out: ${problem}`);
        reported.add(problem);
      }
      options.log(turnLine(report));
    } catch (error) {
      options.log(
        `online: this pass failed and will be retried: ${error instanceof Error ? error.message : String(error)}`
      );
    }
    await sleep(options.intervalMs, options.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, {once: true});
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
