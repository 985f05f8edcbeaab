/**
 * @module Automation rules applied: the workspace's `automation.json` read, each rule's triggered traces found in
 * the store (failing verdicts of trusted evaluators, thumbs-down, low scores), its share drawn by hash, and the
 * traces appended to the rule's queue. A queue never holds a trace twice, so applying the rules again enqueues
 * nothing new: every enqueue is idempotent.
 */
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {specTrustStatus} from "../../src/core/calibration/specCalibration.js";
import {inSample} from "../../src/core/online/sample.js";
import {parseAutomation, triggerText, type Automation, type AutomationRule} from "../../src/core/schemas/automation.js";
import {QUEUE_VERSION, QueueFilterSchema, type Queue} from "../../src/core/schemas/queue.js";
import {readQueues, writeQueue} from "../annotations/files.js";
import {PlumblineError} from "../errors.js";
import type {LoadedSpec} from "../judge/specFile.js";
import {failingVerdicts, feedbackRows} from "../store/online.js";

export class AutomationError extends PlumblineError {
  override readonly name = "AutomationError";
}

export function automationPath(workspace: string): string {
  return join(workspace, "automation.json");
}

/** The workspace's rules; none when it has no automation file. A file that does not parse is an error. */
export function readAutomation(workspace: string): Automation {
  const file = automationPath(workspace);
  if (!existsSync(file)) return {version: 1, rules: []};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new AutomationError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const result = parseAutomation(value);
  if ("errors" in result)
    throw new AutomationError(`${file}: invalid automation rules:\n  ${result.errors.join("\n  ")}`);
  return result.automation;
}

/** Thumbs-down: a value at or below 0, or a label that says down. */
const DOWN_LABELS = new Set(["down", "thumbs_down", "thumbsdown", "👎", "negative", "bad", "no", "false", "fail"]);

export interface Evidence {
  failing: {traceId: string; evaluatorId: string; evaluatorVersion: string}[];
  feedback: {traceId: string; name: string; value: number | null; label: string | null}[];
}

export async function readEvidence(connection: DuckDBConnection): Promise<Evidence> {
  return {failing: await failingVerdicts(connection), feedback: await feedbackRows(connection)};
}

/** The traces a rule's trigger fires on, sorted, before its share is drawn. */
export function triggered(rule: AutomationRule, evidence: Evidence, specs: readonly LoadedSpec[]): string[] {
  const ids = new Set<string>();
  const when = rule.when;
  if (when.on === "verdict_fail") {
    const trusted = new Map<string, string>();
    for (const {spec, version} of specs) {
      if (when.evaluator && spec.id !== when.evaluator) continue;
      // Only the spec's current version is calibrated: an older version's fails are another evaluator's.
      if ((when.trust as string[]).includes(specTrustStatus(spec.calibration, version).status))
        trusted.set(spec.id, version);
    }
    for (const v of evidence.failing) if (trusted.get(v.evaluatorId) === v.evaluatorVersion) ids.add(v.traceId);
  } else {
    for (const f of evidence.feedback) {
      if (when.name && f.name !== when.name) continue;
      if (when.on === "thumbs_down") {
        if ((f.value !== null && f.value <= 0) || (f.label !== null && DOWN_LABELS.has(f.label.trim().toLowerCase())))
          ids.add(f.traceId);
      } else if (f.value !== null && f.value < when.threshold) ids.add(f.traceId);
    }
  }
  return [...ids].sort();
}

export interface RuleOutcome {
  ruleId: string;
  queue: string;
  /** Traces the trigger fired on, and those of them in the rule's share. */
  triggered: number;
  inShare: number;
  /** Traces this application added to the queue (0 when they were all there already). */
  enqueued: number;
}

/** Applies every rule once: appends each rule's new traces to its queue, writing each changed queue once. */
export function applyAutomation(
  workspace: string,
  automation: Automation,
  evidence: Evidence,
  specs: readonly LoadedSpec[],
  now: Date
): RuleOutcome[] {
  const queues = new Map(readQueues(workspace).queues.map((q) => [q.id, q] as const));
  const changed = new Set<string>();
  const outcomes: RuleOutcome[] = [];
  for (const rule of automation.rules) {
    const fired = triggered(rule, evidence, specs);
    const chosen = fired.filter((id) => inSample(id, `automation:${rule.id}`, rule.share));
    let queue = queues.get(rule.queue) ?? newQueue(rule, now);
    const held = new Set(queue.items.map((i) => i.traceId));
    const fresh = chosen.filter((id) => !held.has(id));
    if (fresh.length) {
      const items = fresh.map((traceId) => ({
        traceId,
        score: 0,
        random: false,
        clusterWeight: 1,
        contributions: [],
        enqueuedBy: rule.id
      }));
      queue = {...queue, items: [...queue.items, ...items], size: queue.items.length + items.length};
      queues.set(rule.queue, queue);
      changed.add(rule.queue);
    }
    outcomes.push({
      ruleId: rule.id,
      queue: rule.queue,
      triggered: fired.length,
      inShare: chosen.length,
      enqueued: fresh.length
    });
  }
  for (const id of changed) writeQueue(workspace, queues.get(id)!);
  return outcomes;
}

function newQueue(rule: AutomationRule, now: Date): Queue {
  return {
    version: QUEUE_VERSION,
    id: rule.queue,
    name: rule.queue,
    annotators: rule.annotators,
    annotatorsPerTrace: 1,
    criterion: rule.criterion,
    size: 0,
    randomShare: 0,
    seed: 1,
    filter: QueueFilterSchema.parse({}),
    createdAt: now.getTime(),
    items: []
  };
}

/** One rule as the Annotate page lists it. */
export interface RuleSummary {
  id: string;
  trigger: string;
  queue: string;
  share: number;
  /** Traces in the queue that this rule put there. */
  enqueued: number;
}

/** The workspace's rules with what each has enqueued so far (read from the queues), or why they cannot be read. */
export function automationSummary(workspace: string): {rules: RuleSummary[]; error: string | null} {
  let automation: Automation;
  try {
    automation = readAutomation(workspace);
  } catch (error) {
    return {rules: [], error: (error as Error).message};
  }
  const counts = new Map<string, number>();
  for (const queue of readQueues(workspace).queues)
    for (const item of queue.items)
      if (item.enqueuedBy) {
        const key = `${queue.id}\u0000${item.enqueuedBy}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
  return {
    rules: automation.rules.map((rule) => ({
      id: rule.id,
      trigger: triggerText(rule.when),
      queue: rule.queue,
      share: rule.share,
      enqueued: counts.get(`${rule.queue}\u0000${rule.id}`) ?? 0
    })),
    error: null
  };
}
