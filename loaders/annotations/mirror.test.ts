import assert from "node:assert/strict";
import {appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, test} from "node:test";
import {logPath} from "./log.js";
import {createEvent} from "./testEvents.js";
import {mirrorAnnotationLog} from "./mirror.js";
import {withConnection} from "../store/db.js";

const root = mkdtempSync(join(tmpdir(), "plumbline-mirror-"));
after(() => rmSync(root, {recursive: true, force: true}));

const line = (event: object) => JSON.stringify(event) + "\n";
const patch = (eventId: string, id: string, changes: object) => ({
  op: "patch",
  eventId,
  at: 9,
  by: "bo",
  version: 2,
  id,
  changes
});

function workspaceWith(name: string, events: object[]): {workspace: string; file: string} {
  const workspace = join(root, name);
  const file = logPath(workspace);
  mkdirSync(join(file, ".."), {recursive: true});
  writeFileSync(file, events.map(line).join(""));
  return {workspace, file};
}

const labels = (workspace: string) =>
  withConnection(workspace, async (c) =>
    (
      await c.runAndReadAll("SELECT trace_id, pass, explanation, failure_mode FROM human_labels ORDER BY trace_id")
    ).getRows()
  );

describe("the annotation store mirror", () => {
  test("a second sync of an unchanged log reads none of it: it continues from the offset it reached", async () => {
    const {workspace, file} = workspaceWith("unchanged", [createEvent(1), createEvent(2), createEvent(3)]);
    const first = await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    assert.equal(first.appended, 3);
    // Spoil an already mirrored line without changing its length or the log's start: a sync that re-read the
    // log would see a bad line and a different label.
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace('"label 2"', '"LABEL 2"'));
    const second = await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    assert.deepEqual(second, {appended: 0, offset: text.length});
    assert.deepEqual(
      (await labels(workspace)).map((r) => r[2]),
      ["label 1", "label 2", "label 3"]
    );
  });

  test("new events are appended, a patch folded onto the label the table already holds, a delete removing it", async () => {
    const {workspace, file} = workspaceWith("incremental", [createEvent(1), createEvent(2)]);
    await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    appendFileSync(
      file,
      line(patch("p1", "a1", {explanation: "second look"})) +
        line(patch("p2", "a1", {failureMode: "wrong_tool"})) +
        line({op: "delete", eventId: "d2", at: 9, by: "bo", id: "a2"}) +
        line(patch("p3", "a2", {explanation: "too late"})) +
        JSON.stringify(createEvent(4)).slice(0, 30)
    );
    const result = await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    // Three rows: two patches and the delete; the patch of a deleted label changes nothing, and the unterminated
    // last line is left for its writer.
    assert.equal(result.appended, 3);
    assert.equal(result.offset, readFileSync(file).length - 30);
    assert.deepEqual(await labels(workspace), [["trace-1", false, "second look", "wrong_tool"]]);
    const seqs = await withConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT seq, op FROM annotation_events ORDER BY seq")).getRows()
    );
    assert.deepEqual(
      seqs.map((r) => [Number(r[0]), r[1]]),
      [
        [0, "create"],
        [1, "create"],
        [2, "patch"],
        [3, "patch"],
        [4, "delete"]
      ]
    );
  });

  test("a log replaced by another is mirrored again from its start", async () => {
    const {workspace, file} = workspaceWith("replaced", [createEvent(1), createEvent(2), createEvent(3)]);
    await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    writeFileSync(file, [createEvent(7), createEvent(8), createEvent(9), createEvent(10)].map(line).join(""));
    const result = await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    assert.equal(result.appended, 4);
    assert.deepEqual(
      (await labels(workspace)).map((r) => r[0]),
      ["trace-10", "trace-7", "trace-8", "trace-9"]
    );
  });

  test("rows beyond the place the mirror recorded are dropped and mirrored again, never doubled", async () => {
    const {workspace, file} = workspaceWith("stray-rows", [createEvent(1)]);
    await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    // As if a sync had written rows and stopped before recording how far it got.
    await withConnection(workspace, (c) =>
      c.run(`INSERT INTO annotation_events (seq, event_id, op, event_at, event_by, annotation_id, trace_id, pass, source)
      VALUES (1, 'e2', 'create', now(), 'ana', 'a2', 'trace-2', true, 'reviewer')`)
    );
    appendFileSync(file, line(createEvent(2)));
    await withConnection(workspace, (c) => mirrorAnnotationLog(c, file));
    const count = await withConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT count(*)::INTEGER FROM annotation_events")).getRows()
    );
    assert.deepEqual(count, [[2]]);
  });
});
