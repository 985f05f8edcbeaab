import assert from "node:assert/strict";
import {test} from "node:test";
import type {FailureDraft} from "../../src/core/schemas/failureDraft.js";
import {tempDir} from "../fixtures/tempDir.js";
import {withConnection} from "./db.js";
import {draftsByEvidence, readFailureDrafts, writeFailureDrafts} from "./failureDrafts.js";

const hash = (c: string) => c.repeat(64);
const draft = (traceId: string, text: string, at: string, evidence = "a"): FailureDraft => ({
  traceId,
  model: "m",
  promptVersion: "draft-1",
  evidenceHash: hash(evidence),
  text,
  createdAt: at
});

test("a newer draft of the same trace, model and prompt replaces the older, and drafts read back as written", async (t) => {
  const workspace = tempDir("drafts", t);
  await withConnection(workspace, async (c) => {
    await writeFailureDrafts(c, [
      draft("t1", "The refund tool failed.", "2026-12-01T10:00:00.000Z"),
      draft("t2", "Search returned nothing.", "2026-12-01T10:00:00.000Z", "b")
    ]);
    await writeFailureDrafts(c, [draft("t1", "issue_refund returned 500.", "2026-12-02T10:00:00.000Z", "c")]);
    const all = await readFailureDrafts(c);
    assert.deepEqual(
      all.map((d) => [d.traceId, d.text, d.createdAt]),
      [
        ["t1", "issue_refund returned 500.", "2026-12-02T10:00:00.000Z"],
        ["t2", "Search returned nothing.", "2026-12-01T10:00:00.000Z"]
      ]
    );
    assert.deepEqual(
      (await readFailureDrafts(c, ["t2"])).map((d) => d.traceId),
      ["t2"]
    );
    assert.deepEqual(await readFailureDrafts(c, []), []);
    const cache = await draftsByEvidence(c, "m", "draft-1");
    assert.deepEqual([...cache.keys()].sort(), [hash("b"), hash("c")]);
    assert.deepEqual(cache.get(hash("c")), {text: "issue_refund returned 500.", traceIds: new Set(["t1"])});
    assert.equal((await draftsByEvidence(c, "other", "draft-1")).size, 0);
  });
});

test("a draft without text is refused before it reaches the store", async (t) => {
  const workspace = tempDir("drafts", t);
  await withConnection(workspace, async (c) => {
    await assert.rejects(writeFailureDrafts(c, [draft("t1", "  ", "2026-12-01T10:00:00.000Z")]), /a draft has text/);
    assert.deepEqual(await readFailureDrafts(c), []);
  });
});
