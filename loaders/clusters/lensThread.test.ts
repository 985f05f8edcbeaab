import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {test} from "node:test";
import {DEFAULT_SEMANTIC_OPTIONS, semanticClusters} from "../../src/core/clusters/semantic.js";
import {tfidfVectors} from "../../src/core/clusters/tfidf.js";
import {seededRandom} from "../../src/core/random.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {clusterFixtureTraces} from "./fixtures.js";
import {fitLensInThread, SOURCE_LENS_WORKER} from "./lensThread.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "./runClustering.js";

/** Three topics of twenty texts each, in a fixed order. */
const tokens = Array.from({length: 60}, (_, i) => {
  const topic = [
    ["refund", "card", "charge"],
    ["flight", "seat", "booking"],
    ["password", "login", "reset"]
  ][i % 3]!;
  return [...topic, `word${i % 7}`, `extra${i % 5}`];
});
const options = {...DEFAULT_SEMANTIC_OPTIONS, runs: 3};

test("a lens fitted on a worker thread is the lens fitted in process, seed for seed", async () => {
  const inThread = await fitLensInThread({tokens, seed: 11, options}, SOURCE_LENS_WORKER);
  const inProcess = semanticClusters(tfidfVectors(tokens).vectors, tokens, seededRandom(11), options);
  assert.deepEqual(inThread, inProcess);
  assert.equal(inThread.k >= 2, true, "the three topics are told apart");
});

test("a worker that fails rejects with its error instead of answering", async () => {
  await assert.rejects(
    fitLensInThread({tokens: null as unknown as string[][], seed: 1, options}, SOURCE_LENS_WORKER),
    TypeError
  );
});

test("a workspace's topic clusters are the same whether the topic lens ran on a thread or not", async () => {
  const workspace = tempDir("lens-thread");
  try {
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    const topics = async (lensThread: boolean) => {
      await withConnection(workspace, (c) => runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, lensThread}));
      return withReadConnection(workspace, async (c) => ({
        clusters: (
          await c.runAndReadAll("SELECT name, size, terms FROM clusters WHERE kind = 'topic' ORDER BY cluster_id")
        ).getRowObjectsJson(),
        members: (
          await c.runAndReadAll(
            "SELECT trace_id, cluster_id FROM trace_clusters WHERE cluster_id LIKE 'topic-%' ORDER BY trace_id"
          )
        ).getRowObjectsJson()
      }));
    };
    const inProcess = await topics(false);
    assert.ok(inProcess.members.length > 0);
    assert.deepEqual(await topics(true), inProcess);
  } finally {
    rmSync(workspace, {recursive: true, force: true});
  }
});
