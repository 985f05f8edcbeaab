import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {appendFileSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, describe, test} from "node:test";
import {fileURLToPath} from "node:url";
import {currentAnnotations} from "../../src/core/schemas/annotation.js";
import {openLogWriter, readLog} from "./log.js";
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
    assert.deepEqual(events.map((e) => e.eventId), Array.from({length: 200}, (_, n) => `e${n}`));
  });

  test("a torn last line is reported with its line number and the rest loads; the next writer starts a new line", async () => {
    const file = join(dir, "torn.jsonl");
    const writer = openLogWriter(file);
    await writer.append([createEvent(1), createEvent(2)]);
    await writer.close();
    appendFileSync(file, JSON.stringify(createEvent(3)).slice(0, 40));
    let loaded = readLog(file);
    assert.equal(loaded.events.length, 2);
    assert.deepEqual(loaded.problems.map((p) => [p.line, p.torn]), [[3, true]]);
    assert.match(loaded.problems[0]!.reason, /torn last line/);
    const next = openLogWriter(file);
    await next.append([createEvent(4)]);
    await next.close();
    loaded = readLog(file);
    assert.deepEqual(loaded.events.map((e) => e.eventId), ["e1", "e2", "e4"]);
    // Now terminated, the fragment is an ordinary bad line: still reported, still not fatal.
    assert.deepEqual(loaded.problems.map((p) => [p.line, p.torn]), [[3, false]]);
  });

  test("a bad line in the middle is reported by line and reason, and an old version-1 label is migrated", () => {
    const file = join(dir, "mixed.jsonl");
    const v1 = {op: "create", eventId: "old", at: 1, by: "bo",
      annotation: {version: 1, id: "legacy", traceId: "t9", verdict: "fail", comment: "wrong seat", annotator: "bo", createdAt: 1}};
    const newer = {...createEvent(7), annotation: {...(createEvent(7) as {annotation: object}).annotation, version: 99}};
    writeFileSync(file, [JSON.stringify(createEvent(1)), "{not json", JSON.stringify(v1), JSON.stringify(newer), ""].join("\n"));
    const {events, problems} = readLog(file);
    assert.deepEqual(problems.map((p) => p.line), [2, 4]);
    assert.match(problems[1]!.reason, /version 99 is newer/);
    const legacy = currentAnnotations(events).find((a) => a.id === "legacy")!;
    assert.deepEqual([legacy.criterion, legacy.pass, legacy.explanation, legacy.source], ["overall", false, "wrong seat", "reviewer"]);
  });

  test("edits replace and deletes remove a label in the current view, while the log keeps every event", () => {
    const created = createEvent(1);
    const edited = structuredClone(created);
    if (edited.op !== "create") throw new Error("unreachable");
    const edit = {...edited, op: "edit" as const, eventId: "e1-edit", annotation: {...edited.annotation, pass: true, explanation: "on reflection"}};
    const other = createEvent(2);
    const remove = {op: "delete" as const, eventId: "e2-del", at: 5, by: "ana", id: "a2"};
    const current = currentAnnotations([created, other, edit, remove]);
    assert.deepEqual(current.map((a) => [a.id, a.explanation]), [["a1", "on reflection"]]);
  });
});

describe("a writer killed with SIGKILL mid-append", {timeout: 60_000}, () => {
  test("leaves a log that loads; a torn last line is reported, not fatal", async () => {
    const file = join(dir, "killed.jsonl");
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./appendLoop.ts", import.meta.url)), file], {
      stdio: ["ignore", "pipe", "inherit"]
    });
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
    assert.deepEqual(events.map((e) => e.eventId), events.map((_, n) => `e${n}`));
    assert.ok(problems.every((p) => p.torn), `only a torn last line may be a problem: ${JSON.stringify(problems)}`);
    assert.equal(problems.length, text.endsWith("\n") ? 0 : 1);
    // The writer may have been killed between writes; cut the file mid-line as a kill inside a write would.
    if (text.endsWith("\n")) {
      writeFileSync(file, text + text.slice(0, 1000).replace("\n", ""));
      const again = readLog(file);
      assert.equal(again.events.length, events.length);
      assert.deepEqual(again.problems.map((p) => p.torn), [true]);
    }
  });
});
