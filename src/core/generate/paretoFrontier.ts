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

/** Candidates that win some example and are not dominated, with how many examples each wins. */
export interface Frontier {
  candidates: number[];
  wins: Map<number, number>;
}

export function paretoFrontier(input: FrontierInput): Frontier {
  const fronts = winnersPerExample(input);
  const frontsOf = new Map<number, number[]>();
  fronts.forEach((front, i) => {
    for (const c of front) {
      let list = frontsOf.get(c);
      if (!list) frontsOf.set(c, (list = []));
      list.push(i);
    }
  });
  const score = (c: number) => input.aggregate[c] ?? -Infinity;
  const order = [...frontsOf.keys()].sort((a, b) => (score(a) < score(b) ? -1 : score(a) > score(b) ? 1 : b - a));
  // GEPA drops one dominated candidate at a time, weakest first, and scans again from the weakest. A candidate is
  // dominated when every example it wins is also won by another candidate still kept. Dropping one only lowers
  // the counts of kept winners, so a candidate found not dominated stays so; one pass in the same order therefore
  // drops exactly the same candidates, in O(candidates × examples) instead of cubic time.
  const kept = new Set(order);
  const keptWinners = fronts.map((front) => front.size);
  for (const c of order) {
    if (kept.size > 1 && frontsOf.get(c)!.every((i) => keptWinners[i]! > 1)) {
      kept.delete(c);
      for (const i of frontsOf.get(c)!) keptWinners[i]!--;
    }
  }
  const wins = new Map<number, number>();
  for (const front of fronts) for (const c of front) if (kept.has(c)) wins.set(c, (wins.get(c) ?? 0) + 1);
  return {candidates: [...kept].sort((a, b) => a - b), wins};
}

/** A parent from the frontier, sampled by wins; null when no candidate wins any example (no verdict yet). */
export function sampleParent(frontier: {wins: ReadonlyMap<number, number>}, random: Random): number | null {
  const entries = [...frontier.wins].sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  let pick = random() * total;
  for (const [c, n] of entries) {
    pick -= n;
    if (pick < 0) return c;
  }
  return entries.at(-1)![0];
}

/** The candidate with the best aggregate; the earliest on a tie (the seed, then the simplest change). */
export function bestCandidate(aggregate: readonly (number | null)[]): number {
  let best = 0;
  aggregate.forEach((a, c) => {
    if (a !== null && (aggregate[best] === null || a > aggregate[best]!)) best = c;
  });
  return best;
}
