/**
 * @module The Pareto frontier of prompt candidates over examples, and the parent choice it gives, as GEPA does
 * (Agrawal et al. 2025, Algorithm 2): a candidate is on the frontier when it is best on at least one example; a
 * candidate whose every winning example is also won by another frontier candidate is dominated and dropped;
 * a parent is sampled with probability proportional to the number of examples it wins. Choosing parents this
 * way keeps alive prompts that are right where the best-on-average prompt is wrong.
 */
import type {Random} from "../calibration/rng.js";

/**
 * Per-example scores: `scores[candidate][example]`, higher is better; `null` (the judge call failed) never wins.
 * `aggregate[candidate]` orders the dominance check (weakest first), so a tie keeps the stronger candidate.
 */
export interface FrontierInput {
  scores: readonly (readonly (number | null)[])[];
  aggregate: readonly (number | null)[];
}

/** For each example, the candidates that reach the best score on it (empty when no candidate has a score). */
export function winnersPerExample({scores}: FrontierInput): Set<number>[] {
  const examples = scores[0]?.length ?? 0;
  const fronts: Set<number>[] = [];
  for (let i = 0; i < examples; i++) {
    let best = -Infinity;
    for (const row of scores) if (row[i] != null && row[i]! > best) best = row[i]!;
    const front = new Set<number>();
    if (best > -Infinity) scores.forEach((row, c) => row[i] === best && front.add(c));
    fronts.push(front);
  }
  return fronts;
}

function dominated(candidate: number, others: Set<number>, fronts: readonly Set<number>[]): boolean {
  for (const front of fronts) {
    if (!front.has(candidate)) continue;
    let covered = false;
    for (const other of front) if (other !== candidate && others.has(other)) covered = true;
    if (!covered) return false;
  }
  return true;
}

/** The frontier: candidates that win some example and are not dominated, with how many examples each wins. */
export function paretoFrontier(input: FrontierInput): {candidates: number[]; wins: Map<number, number>} {
  const fronts = winnersPerExample(input);
  const onAny = new Set<number>();
  for (const front of fronts) for (const c of front) onAny.add(c);
  const score = (c: number) => input.aggregate[c] ?? -Infinity;
  const order = [...onAny].sort((a, b) => (score(a) < score(b) ? -1 : score(a) > score(b) ? 1 : b - a));
  const kept = new Set(order);
  // Drop one dominated candidate at a time, weakest first, until none is left: dropping one can make another
  // the only winner of an example, and so no longer dominated.
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of order) {
      if (!kept.has(c)) continue;
      const others = new Set(kept);
      others.delete(c);
      if (others.size && dominated(c, others, fronts)) {
        kept.delete(c);
        changed = true;
        break;
      }
    }
  }
  const wins = new Map<number, number>();
  for (const front of fronts) for (const c of front) if (kept.has(c)) wins.set(c, (wins.get(c) ?? 0) + 1);
  return {candidates: [...kept].sort((a, b) => a - b), wins};
}

/** A parent from the frontier, sampled by wins; the best aggregate when no candidate has any score yet. */
export function sampleParent(input: FrontierInput, random: Random): number {
  const {wins} = paretoFrontier(input);
  const total = [...wins.values()].reduce((s, n) => s + n, 0);
  if (total === 0) return bestCandidate(input.aggregate);
  let pick = random() * total;
  for (const [c, n] of [...wins].sort((a, b) => a[0] - b[0])) {
    pick -= n;
    if (pick < 0) return c;
  }
  return [...wins.keys()].at(-1)!;
}

/** The candidate with the best aggregate; the earliest on a tie (the seed, then the simplest change). */
export function bestCandidate(aggregate: readonly (number | null)[]): number {
  let best = 0;
  aggregate.forEach((a, c) => {
    if (a !== null && (aggregate[best] === null || a > aggregate[best]!)) best = c;
  });
  return best;
}
