/**
 * @module Semantic clusters: embedding vectors → 2-D UMAP projections (seeded, several) → in each, k-means with k
 * chosen by the silhouette, split again inside each part while the split is well separated → the consensus of
 * those clusterings → each cluster named by its class-based TF-IDF terms and shown through the traces nearest its
 * centre on the first projection, which is the map.
 * Pure: the vectors, the tokens to name clusters by and the random source are passed in.
 */
import {maxOf, minOf} from "./extent.js";
import {UMAP} from "umap-js";
import {classTerms, type ClassTerm} from "./classTerms.js";
import {DEFAULT_SPLIT_OPTIONS, splitBySilhouette} from "./kmeans.js";
import {consensusLabels} from "./consensus.js";
import {exactNeighbours} from "./neighbours.js";
import {distinct} from "./distinct.js";
import type {Random} from "../random.js";

export interface SemanticOptions {
  nNeighbors: number;
  minDist: number;
  maxK: number;
  /** The fewest traces a cluster should average when choosing the largest k to try. */
  minSize: number;
  /** Split a cluster again only when the split's mean silhouette reaches this (0–1). */
  splitThreshold: number;
  representatives: number;
  /**
   * How many projections (each its own UMAP layout and split) the clusters are the consensus of. One layout's
   * clusters depend on its seed; seven agree with each other, and with labelled failures, far more steadily.
   */
  runs: number;
  /** UMAP's optimisation epochs per projection (umap-js picks 500 below 10,000 points; 200 cost less, lose nothing measured). */
  epochs: number;
  /** Called with (epochs done, epochs in all, over every projection) while UMAP optimises. */
  progress?: (done: number, total: number) => void;
}

export const DEFAULT_SEMANTIC_OPTIONS: SemanticOptions = {
  nNeighbors: 15,
  minDist: 0.1,
  maxK: 12,
  minSize: 5,
  splitThreshold: 0.5,
  representatives: 5,
  runs: 7,
  epochs: 200
};

export interface SemanticCluster {
  label: number;
  terms: ClassTerm[];
  /** Indices of the members, nearest the cluster's centre first. */
  members: number[];
  centre: [number, number];
}

export interface SemanticResult {
  coords: [number, number][];
  labels: number[];
  clusters: SemanticCluster[];
  k: number;
  /** The mean silhouette of every k tried at the top level of the first projection (the map's). */
  silhouettes: {k: number; silhouette: number}[];
}

/**
 * Projects `vectors` to 2-D, `options.runs` times from one neighbour graph (the layouts differ by their seeded
 * start and sampling only). Identical vectors (traces with the same text) are projected once and share a place,
 * spread by a small seeded jitter so the map still shows how many there are: UMAP's neighbour search degrades
 * badly on many exact duplicates (18 s instead of under 2 s for 2,000 templated traces). With fewer than three
 * distinct vectors UMAP cannot run and they sit on a line.
 */
export function projections(
  vectors: readonly number[][],
  random: Random,
  options: SemanticOptions
): [number, number][][] {
  const {values: unique, of} = distinct(vectors, (v) => v.join(","));
  const n = unique.length;
  const runs = Math.max(1, options.runs);
  const layouts: [number, number][][] = [];
  if (n < 3) for (let run = 0; run < runs; run++) layouts.push(unique.map((_, i) => [i, 0]));
  else {
    const nNeighbors = Math.max(2, Math.min(options.nNeighbors, n - 1));
    const neighbours = exactNeighbours(unique, nNeighbors);
    for (let run = 0; run < runs; run++) {
      const umap = new UMAP({nComponents: 2, nNeighbors, minDist: options.minDist, nEpochs: options.epochs, random});
      umap.setPrecomputedKNN(neighbours.indices, neighbours.distances);
      const epochs = umap.initializeFit(unique);
      for (let epoch = 0; epoch < epochs; epoch++) {
        umap.step();
        if (epoch % 10 === 0) options.progress?.(run * epochs + epoch, runs * epochs);
      }
      options.progress?.((run + 1) * epochs, runs * epochs);
      layouts.push(umap.getEmbedding().map((p) => [p[0]!, p[1]!]));
    }
  }
  if (n === vectors.length) return layouts;
  return layouts.map((places) => {
    const xs = places.map((p) => p[0]);
    const ys = places.map((p) => p[1]);
    const spread = 0.01 * Math.max(maxOf(xs) - minOf(xs), maxOf(ys) - minOf(ys), 1);
    const seen = new Set<number>();
    return of.map((i) => {
      const [x, y] = places[i]!;
      // The first of a group keeps the exact place; the others scatter around it.
      if (!seen.has(i)) {
        seen.add(i);
        return [x, y];
      }
      return [x + (random() - 0.5) * spread, y + (random() - 0.5) * spread];
    });
  });
}

export function semanticClusters(
  vectors: readonly number[][],
  tokens: readonly (readonly string[])[],
  random: Random,
  options: SemanticOptions = DEFAULT_SEMANTIC_OPTIONS
): SemanticResult {
  const layouts = projections(vectors, random, options);
  const split = {
    ...DEFAULT_SPLIT_OPTIONS,
    maxK: options.maxK,
    minSize: options.minSize,
    threshold: options.splitThreshold
  };
  const runs = layouts.map((coords) => splitBySilhouette(coords, random, split));
  const coords = layouts[0]!;
  const labels = runs.length === 1 ? runs[0]!.labels : consensusLabels(runs.map((run) => run.labels));
  const terms = classTerms(tokens, labels, 6);
  const clusters: SemanticCluster[] = centresOf(coords, labels).map((centre, label) => {
    const distance = (i: number) => Math.hypot(coords[i]![0] - centre[0]!, coords[i]![1] - centre[1]!);
    const members = labels
      .flatMap((l, i) => (l === label ? [i] : []))
      .sort((a, b) => distance(a) - distance(b) || a - b);
    return {label, terms: terms.get(label) ?? [], members, centre: [centre[0]!, centre[1]!]};
  });
  // Largest first, so that cluster numbers read as rank by volume.
  const order = clusters
    .filter((c) => c.members.length > 0)
    .sort((a, b) => b.members.length - a.members.length || a.label - b.label);
  const relabel = new Map(order.map((c, i) => [c.label, i]));
  return {
    coords,
    labels: labels.map((l) => relabel.get(l) ?? -1),
    clusters: order.map((c, i) => ({...c, label: i})),
    k: order.length,
    silhouettes: runs[0]!.scores
  };
}

/** The mean place of each label's members (labels 0…k−1). */
function centresOf(coords: readonly [number, number][], labels: readonly number[]): number[][] {
  const k = labels.reduce((max, l) => Math.max(max, l + 1), 0);
  const sums = Array.from({length: k}, () => [0, 0, 0]);
  labels.forEach((l, i) => {
    sums[l]![0]! += coords[i]![0];
    sums[l]![1]! += coords[i]![1];
    sums[l]![2]!++;
  });
  return sums.map(([x, y, count]) => [x! / count!, y! / count!]);
}
