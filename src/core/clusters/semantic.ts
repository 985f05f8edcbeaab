/**
 * @module Semantic clusters: embedding vectors → a 2-D UMAP projection (seeded) → k-means with k chosen by the
 * silhouette, split again inside each part while the split is well separated → each cluster named by its class-based TF-IDF terms and shown through the traces nearest its centre.
 * Pure: the vectors, the tokens to name clusters by and the random source are passed in.
 */
import {UMAP} from "umap-js";
import {classTerms, type ClassTerm} from "./classTerms.js";
import {DEFAULT_SPLIT_OPTIONS, splitBySilhouette} from "./kmeans.js";
import type {Random} from "./random.js";

export interface SemanticOptions {
  nNeighbors: number;
  minDist: number;
  maxK: number;
  /** The fewest traces a cluster should average when choosing the largest k to try. */
  minSize: number;
  representatives: number;
  /** Called with (epochs done, epochs in all) while UMAP optimises. */
  progress?: (done: number, total: number) => void;
}

export const DEFAULT_SEMANTIC_OPTIONS: SemanticOptions = {nNeighbors: 15, minDist: 0.1, maxK: 12, minSize: 5, representatives: 5};

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

/** Projects `vectors` to 2-D; with fewer than three points UMAP cannot run and the points sit on a line. */
export function project(vectors: readonly number[][], random: Random, options: SemanticOptions): [number, number][] {
  const n = vectors.length;
  if (n < 3) return vectors.map((_, i) => [i, 0]);
  const umap = new UMAP({nComponents: 2, nNeighbors: Math.max(2, Math.min(options.nNeighbors, n - 1)), minDist: options.minDist, random});
  const epochs = umap.initializeFit(vectors.map((v) => v.slice()));
  for (let epoch = 0; epoch < epochs; epoch++) {
    umap.step();
    if (epoch % 10 === 0) options.progress?.(epoch, epochs);
  }
  options.progress?.(epochs, epochs);
  return umap.getEmbedding().map((p) => [p[0]!, p[1]!]);
}

export function semanticClusters(
  vectors: readonly number[][],
  tokens: readonly (readonly string[])[],
  random: Random,
  options: SemanticOptions = DEFAULT_SEMANTIC_OPTIONS
): SemanticResult {
  const coords = project(vectors, random, options);
  const chosen = splitBySilhouette(coords, random, {...DEFAULT_SPLIT_OPTIONS, maxK: options.maxK, minSize: options.minSize});
  const terms = classTerms(tokens, chosen.labels, 6);
  const clusters: SemanticCluster[] = chosen.centres.map((centre, label) => {
    const distance = (i: number) => Math.hypot(coords[i]![0] - centre[0]!, coords[i]![1] - centre[1]!);
    const members = chosen.labels.flatMap((l, i) => (l === label ? [i] : [])).sort((a, b) => distance(a) - distance(b) || a - b);
    return {label, terms: terms.get(label) ?? [], members, centre: [centre[0]!, centre[1]!]};
  });
  // Largest first, so that cluster numbers read as rank by volume.
  const order = clusters.filter((c) => c.members.length > 0).sort((a, b) => b.members.length - a.members.length || a.label - b.label);
  const relabel = new Map(order.map((c, i) => [c.label, i]));
  return {
    coords,
    labels: chosen.labels.map((l) => relabel.get(l) ?? -1),
    clusters: order.map((c, i) => ({...c, label: i})),
    k: order.length,
    silhouettes: chosen.scores
  };
}
