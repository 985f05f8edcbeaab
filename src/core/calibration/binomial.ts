/**
 * @module Exact binomial variates, from d3-random's `randomBinomial` driven by the caller's seeded source. It is
 * exact (Devroye's recursion on beta order statistics down to a small mean, then geometric waiting times), not a
 * normal approximation, and costs about a microsecond a draw whatever n is. The bootstrap uses it to resample a
 * confusion matrix in O(1) per resample instead of O(n).
 */
import {randomBinomial} from "d3-random";
import type {Random} from "./rng.js";

type Sampler = (n: number, p: number) => () => number;

// One d3 sampler factory per random source, so drawing does not rebuild it on every call.
const samplers = new WeakMap<Random, Sampler>();

/** One draw from Binomial(n, p) using `random`. */
export function binomial(n: number, p: number, random: Random): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  let sampler = samplers.get(random);
  if (!sampler) samplers.set(random, (sampler = randomBinomial.source(random)));
  return sampler(n, p)();
}
