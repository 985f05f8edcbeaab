/**
 * @module A worker thread that fits one lens: TF-IDF of the tokens it is sent, then the semantic clusters, seeded
 * as in the main thread. The topic lens runs here while the evidence lens runs in the main thread, so the two
 * fits, each seven UMAP projections, use two cores; the clusters are the same as one after the other.
 */
import {parentPort, workerData} from "node:worker_threads";
import {DEFAULT_SEMANTIC_OPTIONS, semanticClusters, type SemanticOptions} from "../../src/core/clusters/semantic.js";
import {tfidfVectors} from "../../src/core/clusters/tfidf.js";
import {seededRandom} from "../../src/core/random.js";

export interface LensTask {
  tokens: string[][];
  seed: number;
  /** The lens's options, less its progress callback, which cannot cross threads. */
  options: Omit<SemanticOptions, "progress">;
}

const {tokens, seed, options} = workerData as LensTask;
const result = semanticClusters(tfidfVectors(tokens).vectors, tokens, seededRandom(seed), {
  ...DEFAULT_SEMANTIC_OPTIONS,
  ...options
});
parentPort!.postMessage(result);
