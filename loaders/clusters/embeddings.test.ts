import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {main} from "../cli/main.js";
import type {Io} from "../cli/command.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {withReadConnection} from "../store/db.js";
import {clusterFixtureTraces} from "./fixtures.js";
import {tempDir} from "../fixtures/tempDir.js";

const KEY = "sk-test-secret-4242";

/**
 * A minimal OpenAI-compatible embeddings endpoint on loopback: a bag-of-words vector hashed into 16 dimensions,
 * so texts that share words lie close. `fail` makes every request answer 500.
 */
function embeddingsServer(): Promise<{
  server: Server;
  url: string;
  requests: {inputs: number; auth: string | undefined}[];
  fail: {on: boolean};
}> {
  const requests: {inputs: number; auth: string | undefined}[] = [];
  const fail = {on: false};
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/embeddings") {
        res.writeHead(404).end();
        return;
      }
      const {input, model} = JSON.parse(body) as {input: string[]; model: string};
      requests.push({inputs: input.length, auth: req.headers.authorization});
      if (fail.on) {
        res
          .writeHead(500, {"content-type": "application/json"})
          .end(JSON.stringify({error: {message: "model overloaded", type: "server_error"}}));
        return;
      }
      const data = input.map((text, index) => {
        const v = new Array<number>(16).fill(0);
        for (const word of text.toLowerCase().match(/[a-z_]{3,}/g) ?? []) {
          let h = 0;
          for (const c of word) h = (h * 31 + c.charCodeAt(0)) >>> 0;
          v[h % 16]! += 1;
        }
        return {object: "embedding", index, embedding: v};
      });
      res
        .writeHead(200, {"content-type": "application/json"})
        .end(JSON.stringify({object: "list", data, model, usage: {prompt_tokens: 1, total_tokens: 1}}));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests, fail})
    )
  );
}

function captureIo(env: NodeJS.ProcessEnv): Io & {text: () => string} {
  const lines: string[] = [];
  return {out: (t) => void lines.push(t), err: (t) => void lines.push(t), env, text: () => lines.join("\n")};
}

describe("plumbline cluster --embeddings openai", () => {
  let workspace: string;
  let endpoint: Awaited<ReturnType<typeof embeddingsServer>>;
  before(async () => {
    workspace = tempDir("embed");
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    endpoint = await embeddingsServer();
  });
  after(async () => {
    await new Promise((resolve) => endpoint.server.close(resolve));
    rmSync(workspace, {recursive: true, force: true});
  });

  test("embeds through the endpoint in batches, caches by content hash, and never prints the key", async () => {
    const env = {PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: endpoint.url, OPENAI_API_KEY: KEY};
    const io = captureIo(env);
    assert.equal(
      await main(["cluster", "--embeddings", "openai", "--model", "tiny-embed", "--batch-size", "8", "--json"], io),
      0
    );
    assert.deepEqual(
      endpoint.requests.map((r) => r.inputs),
      [8, 6] // 14 distinct evidence texts: some retrieval misses have the same evidence
    );
    assert.ok(endpoint.requests.every((r) => r.auth === `Bearer ${KEY}`));
    const summary = JSON.parse(io.text()) as {semantic: {fetched: number; cached: number; method: string}};
    assert.deepEqual([summary.semantic.fetched, summary.semantic.cached], [14, 5]);
    assert.match(summary.semantic.method, /^failure evidence: embeddings tiny-embed/);
    const cached = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll(
          "SELECT count(*)::INTEGER AS n, min(len(vector))::INTEGER AS dims, any_value(model) AS model FROM embedding_cache"
        )
      ).getRowObjectsJson()
    );
    assert.deepEqual(cached, [{n: 14, dims: 16, model: "tiny-embed"}]);

    const again = captureIo(env);
    assert.equal(await main(["cluster", "--embeddings", "openai", "--model", "tiny-embed", "--json"], again), 0);
    assert.equal(endpoint.requests.length, 2, "a second run asked the endpoint again");
    assert.equal((JSON.parse(again.text()) as {semantic: {cached: number}}).semantic.cached, 19);
    for (const text of [io.text(), again.text()]) assert.ok(!text.includes(KEY));
  });

  test("a failing endpoint is an error that names it, leaves the last clusters in place, and does not print the key", async () => {
    const before = await withReadConnection(
      workspace,
      async (c) => (await c.runAndReadAll("SELECT count(*) FROM clusters")).getRows()[0]![0]
    );
    endpoint.fail.on = true;
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: endpoint.url, OPENAI_API_KEY: KEY});
    assert.equal(await main(["cluster", "--embeddings", "openai", "--model", "other-model"], io), 1);
    endpoint.fail.on = false;
    assert.match(io.text(), new RegExp(`the embeddings request to ${endpoint.url} failed: 500`));
    assert.ok(!io.text().includes(KEY));
    const after = await withReadConnection(
      workspace,
      async (c) => (await c.runAndReadAll("SELECT count(*) FROM clusters")).getRows()[0]![0]
    );
    assert.equal(after, before);
  });

  test("an unknown embeddings kind or a bad bound is a usage error", async () => {
    const kind = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["cluster", "--embeddings", "bert"], kind), 2);
    assert.match(kind.text(), /invalid --embeddings: bert \(tfidf or openai\)\nRun `plumbline cluster --help`/);
    const bound = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["cluster", "--max-traces", "0"], bound), 2);
    assert.match(bound.text(), /invalid --max-traces: 0/);
    const missing = captureIo({PLUMBLINE_WORKSPACE: join(workspace, "nowhere")});
    assert.equal(await main(["cluster"], missing), 1);
    assert.match(missing.text(), /no workspace at .*nowhere; run `plumbline ingest <files>` or `plumbline demo` first/);
    assert.equal(await main(["failure-mode", "list"], missing), 1);
  });

  test("no key is an error that says how to give one or stay offline", async () => {
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: endpoint.url});
    assert.equal(await main(["cluster", "--embeddings", "openai", "--model", "never-cached"], io), 1);
    assert.match(io.text(), /no API key for the embeddings endpoint: set OPENAI_API_KEY .* or use --embeddings tfidf/);
  });
});
