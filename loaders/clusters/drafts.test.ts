// Drafted failure descriptions through `plumbline cluster --drafts`, against the fake OpenAI server over real HTTP.
import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import {main} from "../cli/main.js";
import {captureIo} from "../fixtures/captureIo.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "../judge/fakeOpenAI.js";
import {withReadConnection} from "../store/db.js";
import {readFailureDrafts} from "../store/failureDrafts.js";
import {clusterFixtureTraces} from "./fixtures.js";

const KEY = "sk-draft-secret-77";

/** The scripted model: it names the failure the evidence shows. */
function draftOf(evidence: string): string {
  if (evidence.includes("ledger")) return "The issue_refund tool failed: the order was not found in the ledger.";
  if (evidence.includes("plan step")) return "The plan step failed to parse, so the agent stopped.";
  return "The knowledge-base search kb_search returned no documents, so the answer had nothing to go on.";
}

describe("plumbline cluster --drafts", () => {
  let workspace = "";
  let server: FakeOpenAI;
  before(async () => {
    workspace = tempDir("drafts");
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    server = await startFakeOpenAI();
    server.respondWith("chat", ({body}) => {
      const messages = body.messages as {content: string}[];
      return chatCompletion(JSON.stringify({description: draftOf(messages[1]!.content)}));
    });
  });
  after(async () => {
    await server.close();
    removeTempDir(workspace);
  });
  const run = async (...extra: string[]) => {
    const io = captureIo({OPENAI_API_KEY: KEY});
    const code = await main(
      ["cluster", "--workspace", workspace, "--drafts", "--base-url", server.baseURL, "--json", ...extra],
      io
    );
    return {code, io};
  };

  test("drafts a description of every flagged trace, stores them as drafts, and clusters the drafts", async () => {
    const {code, io} = await run("--draft-model", "fake-drafter");
    assert.equal(code, 0, io.stderr.join("\n"));
    assert.ok(!io.stdout.join("\n").includes(KEY) && !io.stderr.join("\n").includes(KEY));
    const summary = JSON.parse(io.stdout.join("\n")) as {
      flagged: number;
      drafts: {drafted: number; calls: number; cached: number};
      semantic: {method: string; k: number};
    };
    assert.equal(summary.drafts.drafted, summary.flagged);
    assert.equal(summary.drafts.cached, 0);
    assert.match(summary.semantic.method, /^drafted failure descriptions/);
    const drafts = await withReadConnection(workspace, (c) => readFailureDrafts(c));
    assert.equal(drafts.length, summary.flagged);
    assert.ok(drafts.every((d) => d.model === "fake-drafter" && d.promptVersion === "draft-1"));
    // The clusters are made of the drafts' words: "issue_refund tool" is in the drafts, in no trace's evidence.
    const terms = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT flatten(list(terms)) AS t FROM clusters WHERE kind = 'semantic'")).getRows()
    );
    assert.ok((terms[0]![0] as unknown as {items: string[]}).items.includes("issue_refund tool"), String(terms[0]![0]));
  });

  test("a rerun drafts from the cache without a call, and a budget leaves the rest with their evidence", async () => {
    const before = server.requests.length;
    const again = await run("--draft-model", "fake-drafter");
    assert.equal(again.code, 0);
    const summary = JSON.parse(again.io.stdout.join("\n")) as {
      drafts: {calls: number; cached: number; drafted: number};
    };
    assert.deepEqual([summary.drafts.calls, summary.drafts.cached], [0, summary.drafts.drafted]);
    assert.equal(server.requests.length, before);
    const budget = await run("--draft-model", "other-model", "--max-calls", "2");
    const limited = JSON.parse(budget.io.stdout.join("\n")) as {
      flagged: number;
      drafts: {calls: number; skipped: number};
    };
    assert.equal(limited.drafts.calls, 2);
    assert.ok(limited.drafts.skipped > 0 && limited.drafts.skipped <= limited.flagged - 2);
  });

  test("a failing endpoint leaves traces undrafted and says why; no key is an error that says what to do", async () => {
    server.respondWith("chat", () => errorResponse(400, "model not found"));
    const failed = await run("--draft-model", "missing-model", "--max-calls", "1");
    assert.equal(failed.code, 0);
    const summary = JSON.parse(failed.io.stdout.join("\n")) as {drafts: {errors: number; firstError: string}};
    assert.equal(summary.drafts.errors, 1);
    assert.match(summary.drafts.firstError, /model not found/);
    const io = captureIo({});
    assert.notEqual(await main(["cluster", "--workspace", workspace, "--drafts"], io), 0);
    assert.match(io.stderr.join("\n"), /OPENAI_API_KEY is not set.*leave out --drafts/);
  });
});
