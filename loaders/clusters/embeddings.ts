/**
 * @module Embedding vectors for traces from any OpenAI-compatible `/embeddings` endpoint, cached in the workspace
 * by model and SHA-256 of the text. The API key is handed to the client and never printed, logged or stored.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import OpenAI from "openai";
import {PlumblineError} from "../errors.js";
import {cacheEmbeddings, cachedEmbeddings} from "../store/clusterTables.js";
import {sha256Hex} from "../formats/hash.js";

export interface EmbeddingEndpoint {
  baseURL: string | undefined;
  apiKey: string | undefined;
  model: string;
  batchSize: number;
}

export class EmbeddingError extends PlumblineError {
  override readonly name = "EmbeddingError";
}

/** Vectors for `texts`, in order: cached ones from the store, the rest fetched in batches and then cached. */
export async function embedTexts(
  connection: DuckDBConnection,
  texts: readonly string[],
  endpoint: EmbeddingEndpoint,
  progress: (done: number, total: number) => void = () => {}
): Promise<{vectors: number[][]; cached: number; fetched: number}> {
  const hashes = texts.map(sha256Hex);
  const known = await cachedEmbeddings(connection, endpoint.model, [...new Set(hashes)]);
  const missing = [...new Set(hashes.filter((h) => !known.has(h)))];
  const textOf = new Map(hashes.map((h, i) => [h, texts[i]!]));
  if (missing.length > 0) {
    if (!endpoint.apiKey) {
      throw new EmbeddingError(
        "no API key for the embeddings endpoint: set OPENAI_API_KEY (or pass --api-key-env NAME), or use --embeddings tfidf"
      );
    }
    const client = new OpenAI({apiKey: endpoint.apiKey, baseURL: endpoint.baseURL, maxRetries: 2, timeout: 60_000});
    const fresh = new Map<string, number[]>();
    for (let start = 0; start < missing.length; start += endpoint.batchSize) {
      const batch = missing.slice(start, start + endpoint.batchSize);
      let response;
      try {
        response = await client.embeddings.create({
          model: endpoint.model,
          input: batch.map((h) => textOf.get(h)!),
          encoding_format: "float"
        });
      } catch (error) {
        const where = endpoint.baseURL ?? "the default OpenAI endpoint";
        throw new EmbeddingError(`the embeddings request to ${where} failed: ${(error as Error).message}`);
      }
      if (!Array.isArray(response.data) || response.data.length !== batch.length) {
        throw new EmbeddingError(
          `the embeddings endpoint returned ${response.data?.length ?? 0} vectors for ${batch.length} texts`
        );
      }
      for (const item of response.data) {
        const hash = batch[item.index];
        if (
          hash === undefined ||
          !Array.isArray(item.embedding) ||
          item.embedding.some((v) => typeof v !== "number" || !Number.isFinite(v))
        ) {
          throw new EmbeddingError(`the embeddings endpoint returned a malformed vector at index ${item.index}`);
        }
        fresh.set(hash, item.embedding);
      }
      progress(Math.min(start + batch.length, missing.length), missing.length);
    }
    await cacheEmbeddings(connection, endpoint.model, fresh);
    for (const [h, v] of fresh) known.set(h, v);
  }
  return {vectors: hashes.map((h) => known.get(h)!), cached: texts.length - missing.length, fetched: missing.length};
}
