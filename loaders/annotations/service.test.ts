import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {after, describe, test} from "node:test";
import {withConnection} from "../store/db.js";
import {AnnotationError, openAnnotationService} from "./service.js";
import {appendFileSync, existsSync, readFileSync, writeFileSync} from "node:fs";
import {readLabels, snapshotPath} from "./snapshot.js";
import {readCurrentAnnotations, readLog, logPath} from "./log.js";
import {writeRubric} from "./files.js";
import {createEvent} from "./testEvents.js";
import {AIRLINE_RUBRIC} from "../../src/core/annotations/airlineRubric.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("annotations");
after(() => rmSync(root, {recursive: true, force: true}));

let counter = 0;
const ids = () => `id-${++counter}`;
const label = (traceId: string, annotator: string, pass: boolean, extra: object = {}) => ({
  traceId,
  annotator,
  criterion: "overall",
  pass,
  source: "reviewer",
  ...extra
});

async function rows(workspace: string, sql: string): Promise<unknown[][]> {
  return withConnection(workspace, async (c) => (await c.runAndReadAll(sql)).getRows());
}

describe("the annotation service", () => {
  test("labels survive a restart: the log is read back and the store mirrors it into human_labels", async () => {
    const workspace = join(root, "restart");
    let service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const a = await service.create(
      label("t1", "ana", false, {failureMode: "policy_violation", explanation: "changed basic economy"})
    );
    await service.create(label("t2", "ana", true));
    await service.edit(a.id, {explanation: "changed a basic-economy booking"}, "ana");
    await service.close();
    service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    assert.deepEqual(
      service.list().map((x) => [x.traceId, x.pass, x.explanation]),
      [
        ["t1", false, "changed a basic-economy booking"],
        ["t2", true, null]
      ]
    );
    await service.flush();
    await service.close();
    const view = await rows(
      workspace,
      "SELECT trace_id, criterion, annotator, pass, score, failure_mode, source FROM human_labels ORDER BY trace_id"
    );
    assert.deepEqual(view, [
      ["t1", "overall", "ana", false, 0, "policy_violation", "reviewer"],
      ["t2", "overall", "ana", true, 1, null, "reviewer"]
    ]);
    const times = await rows(workspace, "SELECT epoch_ms(annotated_at) FROM human_labels ORDER BY trace_id");
    assert.deepEqual(
      times.map((r) => Number(r[0])),
      [a.createdAt, service.list()[1]!.createdAt]
    );
  });

  test("a delete removes the label from human_labels while the log keeps its history", async () => {
    const workspace = join(root, "delete");
    const service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const a = await service.create(label("t1", "ana", false));
    await service.remove(a.id, "ana");
    await service.flush();
    await service.close();
    assert.deepEqual(
      readLog(logPath(workspace)).events.map((e) => e.op),
      ["create", "delete"]
    );
    assert.deepEqual(await rows(workspace, "SELECT count(*)::INTEGER FROM human_labels"), [[0]]);
    assert.deepEqual(await rows(workspace, "SELECT count(*)::INTEGER FROM annotation_events"), [[2]]);
  });

  test("ground_truth decides single, unanimous and majority, leaves ties out, and an adjudication wins", async () => {
    const workspace = join(root, "truth");
    writeRubric(workspace, {
      ...AIRLINE_RUBRIC,
      criteria: AIRLINE_RUBRIC.criteria.map((c) => (c.id === "policy_followed" ? {...c, owner: "olga"} : c))
    });
    const service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    await service.create(label("single", "ana", false, {failureMode: "policy_violation"}));
    await service.create(label("unanimous", "ana", true));
    await service.create(label("unanimous", "bo", true));
    await service.create(
      label("majority", "ana", false, {failureMode: "wrong_tool_arguments", explanation: "wrong date"})
    );
    await service.create(label("majority", "bo", false, {failureMode: "wrong_tool_arguments"}));
    await service.create(label("majority", "cy", true));
    await service.create(label("tie", "ana", true));
    await service.create(label("tie", "bo", false));
    // A failing text range fails the annotator's verdict on the trace, even beside a passing trace label.
    await service.create(label("ranged", "ana", true));
    await service.create(
      label("ranged", "ana", false, {scope: {kind: "text", messageIndex: 2, start: 4, end: 9, quote: "hello"}})
    );
    // End-user thumbs are a signal, not ground truth.
    await service.create(label("thumbs", "user-17", false, {source: "end_user"}));
    await service.create(label("adjudicated", "ana", true, {criterion: "policy_followed"}));
    await service.create(label("adjudicated", "bo", false, {criterion: "policy_followed"}));
    await assert.rejects(
      service.adjudicate({traceId: "adjudicated", criterion: "policy_followed", pass: false}, "ana"),
      (error: AnnotationError) => error.status === 403 && /only olga/.test(error.message)
    );
    await service.adjudicate(
      {
        traceId: "adjudicated",
        criterion: "policy_followed",
        pass: false,
        failureMode: "policy_violation",
        explanation: "refund outside the window"
      },
      "olga"
    );
    await service.flush();
    await service.close();
    const truth = await rows(
      workspace,
      "SELECT trace_id, criterion, pass, failure_mode, decided_by FROM ground_truth ORDER BY trace_id"
    );
    assert.deepEqual(truth, [
      ["adjudicated", "policy_followed", false, "policy_violation", "adjudicated"],
      ["majority", "overall", false, "wrong_tool_arguments", "majority"],
      ["ranged", "overall", false, null, "single"],
      ["single", "overall", false, "policy_violation", "single"],
      ["unanimous", "overall", true, null, "unanimous"]
    ]);
    // The adjudication is a decision, not a label: human_labels holds the two annotators' labels only.
    assert.deepEqual(
      await rows(workspace, "SELECT count(*)::INTEGER FROM human_labels WHERE trace_id = 'adjudicated'"),
      [[2]]
    );
    const columns = await rows(
      workspace,
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'ground_truth' ORDER BY ordinal_position"
    );
    assert.deepEqual(columns, [
      ["trace_id", "VARCHAR"],
      ["criterion", "VARCHAR"],
      ["pass", "BOOLEAN"],
      ["failure_mode", "VARCHAR"],
      ["explanation", "VARCHAR"],
      ["decided_by", "VARCHAR"]
    ]);
  });

  test("human_labels has exactly the columns other parts of Plumbline read", async () => {
    const workspace = join(root, "columns");
    const columns = await rows(
      workspace,
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'human_labels' ORDER BY ordinal_position"
    );
    assert.deepEqual(columns, [
      ["trace_id", "VARCHAR"],
      ["span_id", "VARCHAR"],
      ["criterion", "VARCHAR"],
      ["annotator", "VARCHAR"],
      ["pass", "BOOLEAN"],
      ["score", "DOUBLE"],
      ["label", "VARCHAR"],
      ["failure_mode", "VARCHAR"],
      ["explanation", "VARCHAR"],
      ["source", "VARCHAR"],
      ["annotated_at", "TIMESTAMP"],
      ["severity", "VARCHAR"],
      ["drafted_by", "VARCHAR"]
    ]);
  });

  test("bad input is refused with what is wrong, and nothing is written", async () => {
    const workspace = join(root, "invalid");
    writeRubric(workspace, AIRLINE_RUBRIC); // its categorical criterion
    const service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    await assert.rejects(service.create(label("t1", "ana", true, {criterion: "tone"})), /unknown criterion: tone/);
    await assert.rejects(
      service.create({traceId: "t1", criterion: "overall", source: "reviewer"}),
      /invalid annotation/
    );
    await assert.rejects(
      service.create(label("t1", "ana", true, {criterion: "resolution", pass: null, label: "maybe"})),
      /invalid label for resolution/
    );
    await assert.rejects(service.edit("nope", {pass: true}, "ana"), (e: AnnotationError) => e.status === 404);
    // A categorical answer's pass comes from the rubric's failing options; a new failure mode is offered as new.
    const c = await service.create(
      label("t1", "ana", true, {
        criterion: "resolution",
        pass: null,
        label: "unresolved",
        failureMode: "looped_on_greeting"
      })
    );
    assert.equal(c.pass, false);
    assert.deepEqual(
      service.failureModes().filter((m) => m.isNew),
      [{name: "looped_on_greeting", isNew: true}]
    );
    await service.close();
    assert.equal(readLog(logPath(workspace)).events.length, 1);
  });
});

describe("two writers on one log (the server and a feedback import)", () => {
  test("each sees the other's labels without a restart, and the store mirrors both", async () => {
    const workspace = join(root, "two-writers");
    const server = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const importer = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    await server.create(label("t1", "ana", true));
    await importer.importMany(
      [{id: "fb-1", fields: label("t2", "end-user", false, {source: "end_user"})}],
      "import:thumbs"
    );
    await importer.close();
    assert.deepEqual(
      server
        .list()
        .map((a) => a.traceId)
        .sort(),
      ["t1", "t2"]
    );
    await server.create(label("t3", "ana", false));
    await server.flush();
    await server.close();
    assert.deepEqual(await rows(workspace, "SELECT trace_id FROM human_labels ORDER BY 1"), [["t1"], ["t2"], ["t3"]]);
  });
});

describe("edits", () => {
  test("an edit's log line holds only what changed, so its size does not grow with the label's explanation", async () => {
    const workspace = join(root, "patch-size");
    writeRubric(workspace, AIRLINE_RUBRIC); // its categorical criterion
    const service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const a = await service.create(label("t1", "ana", true, {explanation: "x".repeat(100_000)}));
    const edited = await service.edit(a.id, {label: "unresolved", criterion: "resolution"}, "ana");
    await service.flush();
    await service.close();
    // The returned label is whole; the event names the fields the edit named and the pass derived from them.
    assert.deepEqual(
      [edited.criterion, edited.label, edited.pass, edited.explanation?.length],
      ["resolution", "unresolved", false, 100_000]
    );
    const lines = readFileSync(logPath(workspace), "utf8").trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.length < 300, `the edit's line is ${lines[1]!.length} bytes`);
    assert.deepEqual(JSON.parse(lines[1]!).changes, {criterion: "resolution", label: "unresolved", pass: false});
    assert.deepEqual(await rows(workspace, "SELECT label, pass, length(explanation) FROM human_labels"), [
      ["unresolved", false, 100_000n]
    ]);
  });

  test("two annotators editing different fields of one label at once both keep their change", async () => {
    const workspace = join(root, "concurrent-edits");
    const first = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const a = await first.create(label("t1", "ana", true, {explanation: "looks fine"}));
    const second = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    // Both read the label before either writes: two servers on one workspace, or the server and a script.
    await Promise.all([
      first.edit(a.id, {explanation: "missed the refund rule"}, "ana"),
      second.edit(a.id, {failureMode: "policy_violation"}, "bo")
    ]);
    const both = [["missed the refund rule", "policy_violation"]];
    assert.deepEqual(
      readCurrentAnnotations(logPath(workspace)).annotations.map((x) => [x.explanation, x.failureMode]),
      both
    );
    assert.deepEqual(
      first.list().map((x) => [x.explanation, x.failureMode]),
      both
    );
    assert.deepEqual(
      second.list().map((x) => [x.explanation, x.failureMode]),
      both
    );
    await second.close();
    await first.flush();
    await first.close();
    assert.deepEqual(await rows(workspace, "SELECT explanation, failure_mode FROM human_labels"), both);
  });

  test("for one field edited twice at once, the edit later in the log wins, in every reader", async () => {
    const workspace = join(root, "same-field");
    const first = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const a = await first.create(label("t1", "ana", true));
    const second = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    await Promise.all([
      first.edit(a.id, {explanation: "from ana"}, "ana"),
      second.edit(a.id, {explanation: "from bo"}, "bo")
    ]);
    const last = readLog(logPath(workspace)).events.at(-1)!;
    const winner = last.op === "patch" ? last.changes.explanation : null;
    assert.ok(winner === "from ana" || winner === "from bo");
    assert.deepEqual(
      first.list().map((x) => x.explanation),
      [winner]
    );
    assert.deepEqual(
      second.list().map((x) => x.explanation),
      [winner]
    );
    await second.close();
    await first.flush();
    await first.close();
    assert.deepEqual(await rows(workspace, "SELECT explanation FROM human_labels"), [[winner]]);
  });
});

describe("the label snapshot", () => {
  test("a restart folds only the lines appended after the snapshot, and lists what a fold of the whole log lists", async () => {
    const workspace = join(root, "snapshot");
    let service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    const a = await service.create(label("t1", "ana", true, {explanation: "first"}));
    const b = await service.create(label("t2", "bo", false));
    await service.edit(a.id, {explanation: "second"}, "ana");
    await service.remove(b.id, "bo");
    await service.close();
    assert.ok(existsSync(snapshotPath(workspace)));
    // Spoil a line the snapshot covers without changing its length or the log's start: a start that read the log
    // again would see a bad line. Then append a line the snapshot does not cover.
    const log = logPath(workspace);
    const text = readFileSync(log, "utf8");
    writeFileSync(log, text.replace('"explanation":"second"', '"explanation":"SECOND"'));
    appendFileSync(
      log,
      JSON.stringify({
        op: "patch",
        eventId: "late",
        at: 9,
        by: "bo",
        version: 2,
        id: a.id,
        changes: {failureMode: "wrong_tool"}
      }) + "\n"
    );
    service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    assert.deepEqual(service.problems, []);
    assert.deepEqual(
      service.list().map((x) => [x.traceId, x.explanation, x.failureMode]),
      [["t1", "second", "wrong_tool"]]
    );
    // `queue list` and the review pages read the labels the same way, without a service.
    assert.deepEqual(readLabels(workspace), {annotations: service.list(), problems: []});
    // An import still knows the deleted label's id.
    const again = await service.importMany([{id: b.id, fields: label("t2", "bo", true)}], "import:test");
    assert.equal(again.skipped, 1);
    await service.close();
  });

  test("a snapshot that no longer fits the log, because the log was replaced, is ignored and the log folded whole", async () => {
    const workspace = join(root, "snapshot-replaced");
    let service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    await service.create(label("t1", "ana", true));
    await service.close();
    writeFileSync(logPath(workspace), [createEvent(7), createEvent(8)].map((e) => JSON.stringify(e)).join("\n") + "\n");
    service = openAnnotationService({workspace, newId: ids, mirrorDelayMs: 10});
    assert.deepEqual(
      service.list().map((x) => x.traceId),
      ["trace-7", "trace-8"]
    );
    await service.close();
  });
});
