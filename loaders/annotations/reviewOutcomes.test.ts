import assert from "node:assert/strict";
import {appendFileSync, readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, test} from "node:test";
import {withConnection} from "../store/db.js";
import {outcomesPath, readOutcomes, recordOutcomes} from "./reviewOutcomes.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("outcomes");
after(() => rmSync(root, {recursive: true, force: true}));
const at = new Date("2026-11-20T10:00:00.000Z");

test("a torn or foreign line is reported with its line and reason, the rest still counts, and the next outcome starts a fresh line", async () => {
  const workspace = join(root, "torn");
  await withConnection(workspace, (c) =>
    recordOutcomes(
      c,
      workspace,
      [{traceId: "t1", queueId: "q", outcome: "product_fix", by: "ana", note: "prompt v7"}],
      at
    )
  );
  const file = outcomesPath(workspace);
  appendFileSync(file, JSON.stringify({version: 9, id: "x"}) + "\n" + '{"version": 1, "id": "half');
  await withConnection(workspace, (c) =>
    recordOutcomes(c, workspace, [{traceId: "t2", queueId: null, outcome: "none", by: "bo"}], at)
  );
  const {outcomes, problems} = readOutcomes(workspace);
  assert.deepEqual(
    outcomes.map((o) => [o.traceId, o.outcome, o.note]),
    [
      ["t1", "product_fix", "prompt v7"],
      ["t2", "none", null]
    ]
  );
  assert.deepEqual(
    problems.map((p) => [p.file, p.line]),
    [
      [file, 2],
      [file, 3]
    ]
  );
  assert.match(problems[0]!.reason, /version 9 is newer than this Plumbline reads \(1\); upgrade Plumbline/);
  assert.match(problems[1]!.reason, /^not JSON/);
  assert.equal(readFileSync(file, "utf8").split("\n").length, 5, "three lines, the torn one closed, and the new one");
  const mirrored = await withConnection(workspace, async (c) =>
    (await c.runAndReadAll("SELECT trace_id, queue_id, outcome, note FROM review_outcomes ORDER BY seq")).getRows()
  );
  assert.deepEqual(mirrored, [
    ["t1", "q", "product_fix", "prompt v7"],
    ["t2", null, "none", null]
  ]);
});

test("an invalid outcome is refused before anything is written", async () => {
  const workspace = join(root, "invalid");
  await assert.rejects(
    withConnection(workspace, (c) =>
      recordOutcomes(
        c,
        workspace,
        [
          {traceId: "t1", queueId: null, outcome: "none", by: "ana"},
          {traceId: "", queueId: null, outcome: "none", by: "ana"}
        ],
        at
      )
    ),
    /traceId/
  );
  assert.deepEqual(readOutcomes(workspace), {outcomes: [], problems: []});
});
