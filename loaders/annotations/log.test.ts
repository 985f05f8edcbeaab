import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {appendFileSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, describe, test} from "node:test";
import {fileURLToPath} from "node:url";
import fs from "node:fs";
import {syncBuiltinESMExports} from "node:module";
import {currentAnnotations, parseAnnotationEvent} from "../../src/core/schemas/annotation.js";
import {logPath, openLogWriter, readCurrentAnnotations, readLog, scanLog} from "./log.js";
import {openAnnotationService} from "./service.js";
import {createEvent} from "./testEvents.js";
import {tempDir} from "../fixtures/tempDir.js";

const dir = tempDir("log");
after(() => rmSync(dir, {recursive: true, force: true}));

describe("the annotation log", () => {
  test("concurrent appends from one process all land, each on its own line, in the order asked", async () => {
    const file = join(dir, "concurrent.jsonl");
    const writer = openLogWriter(file);
    await Promise.all(Array.from({length: 200}, (_, n) => writer.append([createEvent(n)])));
    await writer.close();
    const {events, problems} = readLog(file);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      events.map((e) => e.eventId),
      Array.from({length: 200}, (_, n) => `e${n}`)
    );
  });

  test("a torn last line is reported with its line number and the rest loads; the next writer starts a new line", async () => {
    const file = join(dir, "torn.jsonl");
    const writer = openLogWriter(file);
    await writer.append([createEvent(1), createEvent(2)]);
    await writer.close();
    appendFileSync(file, JSON.stringify(createEvent(3)).slice(0, 40));
    let loaded = readLog(file);
    assert.equal(loaded.events.length, 2);
    assert.deepEqual(
      loaded.problems.map((p) => [p.line, p.torn]),
      [[3, true]]
    );
    assert.match(loaded.problems[0]!.reason, /torn last line/);
    const next = openLogWriter(file);
    await next.append([createEvent(4)]);
    await next.close();
    loaded = readLog(file);
    assert.deepEqual(
      loaded.events.map((e) => e.eventId),
      ["e1", "e2", "e4"]
    );
    // Now terminated, the fragment is an ordinary bad line: still reported, still not fatal.
    assert.deepEqual(
      loaded.problems.map((p) => [p.line, p.torn]),
      [[3, false]]
    );
  });

  test("a bad line in the middle is reported by line and reason, and an old version-1 label is migrated", () => {
    const file = join(dir, "mixed.jsonl");
    const v1 = {
      op: "create",
      eventId: "old",
      at: 1,
      by: "bo",
      annotation: {
        version: 1,
        id: "legacy",
        traceId: "t9",
        verdict: "fail",
        comment: "wrong seat",
        annotator: "bo",
        createdAt: 1
      }
    };
    const newer = {
      ...createEvent(7),
      annotation: {...(createEvent(7) as {annotation: object}).annotation, version: 99}
    };
    writeFileSync(
      file,
      [JSON.stringify(createEvent(1)), "{not json", JSON.stringify(v1), JSON.stringify(newer), ""].join("\n")
    );
    const {events, problems} = readLog(file);
    assert.deepEqual(
      problems.map((p) => p.line),
      [2, 4]
    );
    assert.match(problems[1]!.reason, /version 99 is newer/);
    const legacy = currentAnnotations(events).find((a) => a.id === "legacy")!;
    assert.deepEqual(
      [legacy.criterion, legacy.pass, legacy.explanation, legacy.source],
      ["overall", false, "wrong seat", "reviewer"]
    );
  });

  test("edits replace and deletes remove a label in the current view, while the log keeps every event", () => {
    const created = createEvent(1);
    const edited = structuredClone(created);
    if (edited.op !== "create") throw new Error("unreachable");
    const edit = {
      ...edited,
      op: "edit" as const,
      eventId: "e1-edit",
      annotation: {...edited.annotation, pass: true, explanation: "on reflection"}
    };
    const other = createEvent(2);
    const remove = {op: "delete" as const, eventId: "e2-del", at: 5, by: "ana", id: "a2"};
    const current = currentAnnotations([created, other, edit, remove]);
    assert.deepEqual(
      current.map((a) => [a.id, a.explanation]),
      [["a1", "on reflection"]]
    );
  });
});

describe("reading the log as a stream", () => {
  test("many events read in small chunks: every line lands once, a long line and split characters survive, and a torn line is reported by number", async () => {
    const file = join(dir, "stream.jsonl");
    const writer = openLogWriter(file);
    const count = 20_000;
    for (let start = 0; start < count; start += 5000) {
      await writer.append(
        Array.from({length: 5000}, (_, i) => {
          const event = createEvent(start + i);
          // Multi-byte characters land across chunk boundaries; one line is far longer than a chunk.
          if (event.op === "create")
            event.annotation.explanation = start + i === 777 ? "é".repeat(50_000) : `naïve 🛫 ${start + i}`;
          return event;
        })
      );
    }
    await writer.close();
    appendFileSync(file, JSON.stringify(createEvent(count)).slice(0, 60));
    const seen: string[] = [];
    let long = "";
    const result = scanLog(
      file,
      (event) => {
        seen.push(event.eventId);
        if (event.op === "create" && event.eventId === "e777") long = event.annotation.explanation!;
      },
      {final: true, chunkBytes: 4099}
    );
    assert.deepEqual(
      seen,
      Array.from({length: count}, (_, n) => `e${n}`)
    );
    assert.equal(long, "é".repeat(50_000));
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.torn]),
      [[count + 1, true]]
    );
    // It held a chunk and the line it was in, never the log: the log is about 1.5 MB, the longest line about 100 kB.
    assert.ok(fs.statSync(file).size > 1_000_000);
    assert.ok(result.peakBufferBytes < 2 * 4099 + 2 * 101_000, `held ${result.peakBufferBytes} bytes`);
    assert.equal(result.offset, fs.statSync(file).size);
  });

  test("neither the reader, the fold, the service nor its store mirror calls readFileSync on the log", async () => {
    const workspace = join(dir, "no-read-file");
    const file = logPath(workspace);
    fs.mkdirSync(join(file, ".."), {recursive: true});
    writeFileSync(file, [createEvent(1), createEvent(2)].map((e) => JSON.stringify(e)).join("\n") + "\n");
    const original = fs.readFileSync;
    const calls: unknown[] = [];
    fs.readFileSync = ((path: fs.PathOrFileDescriptor, options?: unknown) => {
      calls.push(path);
      return original(path, options as never);
    }) as typeof fs.readFileSync;
    syncBuiltinESMExports();
    try {
      assert.equal(readLog(file).events.length, 2);
      assert.equal(readCurrentAnnotations(file).annotations.length, 2);
      const service = openAnnotationService({workspace, mirrorDelayMs: 60_000});
      assert.equal(service.list().length, 2);
      await service.flush();
      await service.close();
    } finally {
      fs.readFileSync = original;
      syncBuiltinESMExports();
    }
    assert.deepEqual(
      calls.filter((path) => path === file),
      []
    );
  });
});

describe("edits as patches", () => {
  const created = createEvent(1);
  const patch = (eventId: string, changes: object) => ({
    op: "patch",
    eventId,
    at: 2,
    by: "bo",
    version: 2,
    id: "a1",
    changes
  });

  test("a patch keeps only the fields it names: the schema's defaults fill nothing", () => {
    const parsed = parseAnnotationEvent(patch("p1", {explanation: "on reflection"}));
    assert.ok(parsed.ok);
    assert.deepEqual((parsed.event as {changes: object}).changes, {explanation: "on reflection"});
    const current = currentAnnotations([created, parsed.event]);
    assert.deepEqual(current[0], {...(created as {annotation: object}).annotation, explanation: "on reflection"});
  });

  test("patches of different fields both apply; for one field the later line wins; a patch of a deleted label changes nothing", () => {
    const events = [
      created,
      patch("p1", {explanation: "by ana"}),
      patch("p2", {failureMode: "wrong_tool"}),
      patch("p3", {explanation: "by bo"}),
      createEvent(2),
      {op: "delete", eventId: "d2", at: 3, by: "ana", id: "a2"},
      {...patch("p4", {explanation: "late"}), id: "a2"}
    ].map((e) => {
      const parsed = parseAnnotationEvent(e);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.event;
    });
    const current = currentAnnotations(events);
    assert.deepEqual(
      current.map((a) => [a.id, a.explanation, a.failureMode]),
      [["a1", "by bo", "wrong_tool"]]
    );
  });

  test("a patch of a newer annotation version is refused with a message, and a field that is not editable is invalid", () => {
    const newer = parseAnnotationEvent({...patch("p1", {explanation: "x"}), version: 3});
    assert.ok(!newer.ok && /version 3 is newer than this Plumbline reads/.test(newer.reason));
    const bad = parseAnnotationEvent(patch("p2", {pass: "yes"}));
    assert.ok(!bad.ok && /invalid annotation event/.test(bad.reason));
  });

  test("an old log, whose edits are whole copies of the label, reads as it always did", () => {
    // Written as Plumbline wrote edits before patches: each edit a full copy; an edit after a delete is ignored.
    const file = join(dir, "old-format.jsonl");
    const a1 = (created as {annotation: Record<string, unknown>}).annotation;
    const lines: object[] = [
      created,
      {
        op: "edit",
        eventId: "x1",
        at: 2,
        by: "ana",
        annotation: {...a1, pass: true, score: 1, explanation: "second look"}
      },
      createEvent(2),
      {
        op: "edit",
        eventId: "x2",
        at: 3,
        by: "ana",
        annotation: {...a1, pass: false, score: 0, explanation: "third look", failureMode: "wrong_tool"}
      },
      {op: "delete", eventId: "x3", at: 4, by: "ana", id: "a2"},
      {
        op: "edit",
        eventId: "x4",
        at: 5,
        by: "ana",
        annotation: {...(createEvent(2) as {annotation: object}).annotation, explanation: "after delete"}
      }
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const {annotations, problems} = readCurrentAnnotations(file);
    assert.deepEqual(problems, []);
    assert.deepEqual(annotations, [
      {...a1, pass: false, score: 0, explanation: "third look", failureMode: "wrong_tool"}
    ]);
    assert.deepEqual(currentAnnotations(readLog(file).events), annotations);
  });
});

describe("a writer killed with SIGKILL mid-append", {timeout: 60_000}, () => {
  test("leaves a log that loads; a torn last line is reported, not fatal", async () => {
    const file = join(dir, "killed.jsonl");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./appendLoop.ts", import.meta.url)), file],
      {
        stdio: ["ignore", "pipe", "inherit"]
      }
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (data: Buffer) => data.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`the writer exited early with ${code}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const text = readFileSync(file, "utf8");
    const {events, problems} = readLog(file);
    // Every complete line is an event, in order, with no gaps; at most the last line is torn.
    assert.ok(events.length > 20);
    assert.deepEqual(
      events.map((e) => e.eventId),
      events.map((_, n) => `e${n}`)
    );
    assert.ok(
      problems.every((p) => p.torn),
      `only a torn last line may be a problem: ${JSON.stringify(problems)}`
    );
    assert.equal(problems.length, text.endsWith("\n") ? 0 : 1);
    // The writer may have been killed between writes; cut the file mid-line as a kill inside a write would.
    if (text.endsWith("\n")) {
      writeFileSync(file, text + text.slice(0, 1000).replace("\n", ""));
      const again = readLog(file);
      assert.equal(again.events.length, events.length);
      assert.deepEqual(
        again.problems.map((p) => p.torn),
        [true]
      );
    }
  });
});
