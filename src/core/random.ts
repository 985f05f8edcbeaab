/** @module A seeded random source (mulberry32), so that a clustering run or a queue's random share repeats exactly for the same seed. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` items drawn without replacement, in their original order (a partial Fisher–Yates over indices). */
export function sampleIndices(n: number, k: number, random: Random): number[] {
  if (k >= n) return Array.from({length: n}, (_, i) => i);
  const index = Array.from({length: n}, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [index[i], index[j]] = [index[j]!, index[i]!];
  }
  return index.slice(0, k).sort((a, b) => a - b);
}
