/**
 * @module Semantic clusters: embedding vectors → a 2-D UMAP projection (seeded) → k-means with k chosen by the
 * silhouette, split again inside each part while the split is well separated → each cluster named by its class-based TF-IDF terms and shown through the traces nearest its centre.
 * Pure: the vectors, the tokens to name clusters by and the random source are passed in.
 */
import {maxOf, minOf} from "./extent.js";
import {UMAP} from "umap-js";
import {classTerms, type ClassTerm} from "./classTerms.js";
import {DEFAULT_SPLIT_OPTIONS, splitBySilhouette} from "./kmeans.js";
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
  /** Called with (epochs done, epochs in all) while UMAP optimises. */
  progress?: (done: number, total: number) => void;
}

export const DEFAULT_SEMANTIC_OPTIONS: SemanticOptions = {
  nNeighbors: 15,
  minDist: 0.1,
  maxK: 12,
  minSize: 5,
  splitThreshold: 0.5,
  representatives: 5
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
  silhouettes: {k: number; silhouette: number}[];
}

/**
 * Projects `vectors` to 2-D. Identical vectors (traces with the same text) are projected once and share a place,
 * spread by a small seeded jitter so the map still shows how many there are: UMAP's neighbour search degrades
 * badly on many exact duplicates (18 s instead of under 2 s for 2,000 templated traces). With fewer than three
 * distinct vectors UMAP cannot run and they sit on a line.
 */
export function project(vectors: readonly number[][], random: Random, options: SemanticOptions): [number, number][] {
  const index = new Map<string, number>();
  const unique: number[][] = [];
  const of = vectors.map((v) => {
    const key = v.join(",");
    let i = index.get(key);
    if (i === undefined) {
      index.set(key, (i = unique.length));
      unique.push(v.slice());
    }
    return i;
  });
  let places: [number, number][];
  const n = unique.length;
  if (n < 3) places = unique.map((_, i) => [i, 0]);
  else {
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: Math.max(2, Math.min(options.nNeighbors, n - 1)),
      minDist: options.minDist,
      random
    });
    const epochs = umap.initializeFit(unique);
    for (let epoch = 0; epoch < epochs; epoch++) {
      umap.step();
      if (epoch % 10 === 0) options.progress?.(epoch, epochs);
    }
    options.progress?.(epochs, epochs);
    places = umap.getEmbedding().map((p) => [p[0]!, p[1]!]);
  }
  if (n === vectors.length) return places;
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
}

export function semanticClusters(
  vectors: readonly number[][],
  tokens: readonly (readonly string[])[],
  random: Random,
  options: SemanticOptions = DEFAULT_SEMANTIC_OPTIONS
): SemanticResult {
  const coords = project(vectors, random, options);
  const chosen = splitBySilhouette(coords, random, {
    ...DEFAULT_SPLIT_OPTIONS,
    maxK: options.maxK,
    minSize: options.minSize,
    threshold: options.splitThreshold
  });
  const terms = classTerms(tokens, chosen.labels, 6);
  const clusters: SemanticCluster[] = chosen.centres.map((centre, label) => {
    const distance = (i: number) => Math.hypot(coords[i]![0] - centre[0]!, coords[i]![1] - centre[1]!);
    const members = chosen.labels
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
    labels: chosen.labels.map((l) => relabel.get(l) ?? -1),
    clusters: order.map((c, i) => ({...c, label: i})),
    k: order.length,
    silhouettes: chosen.scores
  };
}
