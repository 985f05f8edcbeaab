/**
 * @module Ordering traces for a queue: score each by its signals times its cluster weight, keep the filter's
 * traces, take the highest first and mix in a seeded random share as a backstop for what the signals miss.
 */
import type {QueueFilter, QueueItem} from "../schemas/queue.js";
import {clusterWeight, contributions, DEFAULT_WEIGHTS, type SignalWeights, type TraceFeatures} from "./signals.js";
import type {Random} from "../random.js";

/** Every trace's priority with the contributions behind it, highest first (ties by trace id, for stability). */
export function scoreTraces(traces: readonly TraceFeatures[], weights: SignalWeights = DEFAULT_WEIGHTS): QueueItem[] {
  const all = contributions(traces, weights);
  return traces
    .map((t, i) => {
      const weight = clusterWeight(t.clusterSize);
      const points = all[i]!.reduce((sum, c) => sum + c.points, 0);
      return {traceId: t.traceId, score: points * weight, random: false, clusterWeight: weight, contributions: all[i]!};
    })
    .sort((a, b) => b.score - a.score || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
}

export function matchesFilter(trace: TraceFeatures, filter: QueueFilter): boolean {
  if (filter.model !== null && trace.model !== filter.model) return false;
  if (filter.status !== null && trace.status !== filter.status) return false;
  if (filter.format !== null && trace.format !== filter.format) return false;
  const text = filter.text.trim().toLowerCase();
  if (text && !trace.traceId.toLowerCase().includes(text) && !(trace.name ?? "").toLowerCase().includes(text))
    return false;
  return true;
}

export interface PickOptions {
  size: number;
  /** The fraction of the queue drawn at random from the traces the signals did not pick. */
  randomShare: number;
  minScore: number;
  random: Random;
  /** Traces already in the queue: never picked again. */
  exclude?: ReadonlySet<string>;
}

/**
 * Picks up to `size` items: `round(size · randomShare)` drawn at random from the traces the signals did not pick,
 * the rest the highest-scoring traces with a score above zero and at least `minScore`. A workspace with few
 * signals gives a shorter queue rather than one padded with traces nothing points at. Random picks are spread
 * evenly through the queue rather than left at its end, so a reviewer who stops early has still seen some.
 */
export function pickQueueItems(scored: readonly QueueItem[], options: PickOptions): QueueItem[] {
  const available = scored.filter((item) => !options.exclude?.has(item.traceId));
  const randomCount = Math.round(options.size * options.randomShare);
  const prioritized = available
    .filter((item) => item.score > 0 && item.score >= options.minScore)
    .slice(0, options.size - randomCount);
  const taken = new Set(prioritized.map((item) => item.traceId));
  const pool = available.filter((item) => !taken.has(item.traceId));
  // Fisher–Yates on the pool, stopping after the picks we need.
  const randomPicks: QueueItem[] = [];
  for (let i = 0; i < pool.length && randomPicks.length < randomCount; ++i) {
    const j = i + Math.floor(options.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    randomPicks.push({...pool[i]!, random: true});
  }
  if (!randomPicks.length) return prioritized;
  const out: QueueItem[] = [];
  const every = (prioritized.length + randomPicks.length) / randomPicks.length;
  let p = 0;
  let r = 0;
  for (let position = 0; position < prioritized.length + randomPicks.length; ++position) {
    const dueRandom = r < randomPicks.length && (p >= prioritized.length || position + 1 >= (r + 1) * every);
    out.push(dueRandom ? randomPicks[r++]! : prioritized[p++]!);
  }
  return out;
}
