/**
 * @module k-means with k chosen by the silhouette score, for clustering the 2-D projection without a hand-set k.
 *
 * This stands in for HDBSCAN: measured in December 2026, hdbscan-ts 1.0.17 (minClusterSize 5, minSamples 5) did not
 * recover the three well-separated Gaussian blobs of `kmeans.test.ts` (it labelled 121 of the 150 points noise and
 * split the rest into four small clusters, an adjusted Rand index of 0.02 against the truth), so its output could
 * not be trusted and the package is no longer a dependency. On the UMAP projection, where clusters are compact, k-means++ with the k of the best mean
 * silhouette finds the same structure deterministically from a seeded random source.
 */
import type {Random} from "../random.js";

type Point = readonly number[];

function dist2(a: Point, b: Point): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

function initCentres(points: readonly Point[], k: number, random: Random): number[][] {
  const centres: number[][] = [points[Math.floor(random() * points.length)]!.slice()];
  const nearest = points.map((p) => dist2(p, centres[0]!));
  while (centres.length < k) {
    const sum = nearest.reduce((a, b) => a + b, 0);
    let target = random() * sum;
    let pick = points.length - 1;
    for (let i = 0; i < points.length; i++) {
      target -= nearest[i]!;
      if (target <= 0) {
        pick = i;
        break;
      }
    }
    centres.push(points[pick]!.slice());
    points.forEach((p, i) => (nearest[i] = Math.min(nearest[i]!, dist2(p, centres[centres.length - 1]!))));
  }
  return centres;
}

export interface KMeansResult {
  labels: number[];
  centres: number[][];
  inertia: number;
}

/** Lloyd's algorithm from k-means++ seeds; the best of `restarts` runs by inertia. */
export function kmeans(
  points: readonly Point[],
  k: number,
  random: Random,
  restarts = 4,
  maxIterations = 100
): KMeansResult {
  let best: KMeansResult | null = null;
  for (let run = 0; run < restarts; run++) {
    const centres = initCentres(points, k, random);
    const labels = new Array<number>(points.length).fill(-1);
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      let moved = false;
      points.forEach((p, i) => {
        let label = 0;
        let d = Infinity;
        centres.forEach((c, j) => {
          const dj = dist2(p, c);
          if (dj < d) [d, label] = [dj, j];
        });
        if (labels[i] !== label) [labels[i], moved] = [label, true];
      });
      if (!moved) break;
      centres.forEach((c, j) => {
        const members = points.filter((_, i) => labels[i] === j);
        if (members.length)
          for (let d = 0; d < c.length; d++) c[d] = members.reduce((s, p) => s + p[d]!, 0) / members.length;
      });
    }
    const inertia = points.reduce((s, p, i) => s + dist2(p, centres[labels[i]!]!), 0);
    if (!best || inertia < best.inertia) best = {labels, centres, inertia};
  }
  return best!;
}

/**
 * The mean silhouette of a labelling (Rousseeuw 1987); a point alone in its cluster scores 0. Quadratic in the
 * points, so the sums per cluster live in a typed array indexed by a dense cluster number rather than a map: the
 * consensus of several projections computes it for every k of every run.
 */
export function silhouette(points: readonly Point[], labels: readonly number[]): number {
  const dense = new Map<number, number>();
  const of = Int32Array.from(labels, (l) => dense.get(l) ?? dense.set(l, dense.size).get(l)!);
  const k = dense.size;
  if (k < 2) return 0;
  const size = new Float64Array(k);
  for (const c of of) size[c]!++;
  const sums = new Float64Array(k);
  let total = 0;
  points.forEach((p, i) => {
    sums.fill(0);
    points.forEach((q, j) => {
      if (i !== j) sums[of[j]!]! += Math.sqrt(dist2(p, q));
    });
    const own = of[i]!;
    if (size[own]! < 2) return;
    const a = sums[own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c]! / size[c]!);
    total += (b - a) / Math.max(a, b);
  });
  return total / points.length;
}

export interface ChosenClustering extends KMeansResult {
  k: number;
  /** The mean silhouette of every k tried. */
  scores: {k: number; silhouette: number}[];
}

/** k-means for each k in [minK, maxK] (capped so clusters average `minSize` points), keeping the best silhouette. */
export function kmeansBySilhouette(
  points: readonly Point[],
  random: Random,
  options: {minK?: number; maxK?: number; minSize?: number} = {}
): ChosenClustering {
  const minK = options.minK ?? 2;
  const maxK = Math.min(options.maxK ?? 12, Math.floor(points.length / (options.minSize ?? 5)));
  if (maxK < minK) return {...kmeans(points, 1, random, 1), k: 1, scores: []};
  let best: (KMeansResult & {k: number; silhouette: number}) | null = null;
  const scores: {k: number; silhouette: number}[] = [];
  for (let k = minK; k <= maxK; k++) {
    const result = kmeans(points, k, random);
    const score = silhouette(points, result.labels);
    scores.push({k, silhouette: score});
    if (!best || score > best.silhouette) best = {...result, k, silhouette: score};
  }
  const {silhouette: _, ...chosen} = best!;
  return {...chosen, scores};
}

export interface SplitOptions {
  maxK: number;
  minSize: number;
  /** A split is kept only when its mean silhouette reaches this: below it, the parts are not separate groups. */
  threshold: number;
  maxDepth: number;
}

export const DEFAULT_SPLIT_OPTIONS: SplitOptions = {maxK: 12, minSize: 5, threshold: 0.5, maxDepth: 3};

/**
 * Clusters by splitting recursively: k-means by silhouette at the top, then inside each part again while the
 * best split is well separated. The silhouette alone prefers the coarsest split (two sources of traces, say),
 * which hides the failure groups inside each; a threshold on every further split finds them without a hand-set k.
 */
export function splitBySilhouette(
  points: readonly Point[],
  random: Random,
  options: SplitOptions = DEFAULT_SPLIT_OPTIONS
): {labels: number[]; centres: number[][]; scores: {k: number; silhouette: number}[]} {
  const labels = new Array<number>(points.length).fill(0);
  const centres: number[][] = [];
  let topScores: {k: number; silhouette: number}[] = [];
  const visit = (indices: number[], depth: number) => {
    const subset = indices.map((i) => points[i]!);
    const centre = (members: number[][]) =>
      subset[0]!.map((_, d) => members.reduce((s, p) => s + p[d]!, 0) / members.length);
    const leaf = () => {
      centres.push(centre(subset.map((p) => p.slice())));
      for (const i of indices) labels[i] = centres.length - 1;
    };
    if (depth >= options.maxDepth || indices.length < 4 * options.minSize) return leaf();
    const chosen = kmeansBySilhouette(subset, random, {maxK: options.maxK, minSize: options.minSize});
    if (depth === 0) topScores = chosen.scores;
    const best = chosen.scores.find((s) => s.k === chosen.k)?.silhouette ?? 0;
    const threshold = depth === 0 ? -Infinity : options.threshold;
    if (chosen.k < 2 || best < threshold) return leaf();
    for (let part = 0; part < chosen.k; part++) {
      const members = indices.filter((_, j) => chosen.labels[j] === part);
      if (members.length) visit(members, depth + 1);
    }
  };
  if (points.length > 0)
    visit(
      points.map((_, i) => i),
      0
    );
  return {labels, centres, scores: topScores};
}
