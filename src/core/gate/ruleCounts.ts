/**
 * @module A rule evaluator's verdicts on a candidate's traces, counted in process. Verdicts are per trace whatever
 * the rule's scope, as `plumbline judge run` stores them: a span-scoped rule fails a trace when it holds on any of
 * its spans; a thread-scoped rule is decided on the trace's whole session, and every trace of it gets that verdict.
 */
import type {Scope} from "../schemas/evaluator.js";
import type {Predicate, RuleContext} from "../evaluator/rule.js";
import {spanContexts, threadContext} from "../evaluator/scope.js";

export interface GateItem {
  traceId: string;
  sessionId?: string | null;
  rule: RuleContext;
}

export interface RuleCounts {
  pass: number;
  fail: number;
  /** The first `keep` failing trace ids, in item order. */
  failing: string[];
}

export function ruleCounts(scope: Scope, predicate: Predicate, items: readonly GateItem[], keep = 20): RuleCounts {
  const out: RuleCounts = {pass: 0, fail: 0, failing: []};
  const count = (traceId: string, failed: boolean) => {
    if (!failed) return void out.pass++;
    out.fail++;
    if (out.failing.length < keep) out.failing.push(traceId);
  };
  if (scope === "thread") {
    const verdicts = new Map<string, boolean>();
    for (const [key, members] of threadsOf(items))
      verdicts.set(key, predicate(threadContext(members.map((m) => m.rule))));
    for (const item of items) count(item.traceId, verdicts.get(threadKey(item))!);
    return out;
  }
  for (const item of items) {
    count(
      item.traceId,
      scope === "span" ? spanContexts(item.rule).some((unit) => predicate(unit.context)) : predicate(item.rule)
    );
  }
  return out;
}

function threadKey(item: GateItem): string {
  return item.sessionId ? `session:${item.sessionId}` : `trace:${item.traceId}`;
}

/** The traces of each thread, in item order; a trace without a session is a thread of its own. */
function threadsOf(items: readonly GateItem[]): Map<string, GateItem[]> {
  const threads = new Map<string, GateItem[]>();
  for (const item of items) {
    const key = threadKey(item);
    let list = threads.get(key);
    if (!list) threads.set(key, (list = []));
    list.push(item);
  }
  return threads;
}
