import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import type {FailureModeEvent} from "../../src/core/schemas/failureMode.js";
import {appendEvent, readEvents} from "./eventLog.js";
import {tempDir} from "../fixtures/tempDir.js";

test("an invalid event is refused before anything is written; a valid one is one line", () => {
  const dir = tempDir("events");
  try {
    const path = join(dir, "failure-modes.jsonl");
    const bad = {
      version: 1,
      type: "set-state",
      at: "yesterday",
      name: "m",
      state: "done",
      note: null
    } as unknown as FailureModeEvent;
    assert.throws(() => appendEvent(path, bad), /state|at/);
    assert.deepEqual(readEvents(path), {events: [], problems: []});
    appendEvent(path, {
      version: 1,
      type: "promote",
      at: "2026-01-01T00:00:00.000Z",
      name: " m ",
      description: null,
      cluster: null
    });
    assert.equal(readFileSync(path, "utf8").split("\n").length, 2);
    assert.equal(readEvents(path).events[0]!.name, "m");
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

test("a line from a newer version or with a bad field is reported with its line and reason; the rest load", () => {
  const dir = tempDir("events");
  try {
    const path = join(dir, "failure-modes.jsonl");
    const ok = {
      version: 1,
      type: "promote",
      at: "2026-01-01T00:00:00.000Z",
      name: "m",
      description: null,
      cluster: null
    };
    writeFileSync(
      path,
      [
        JSON.stringify(ok),
        JSON.stringify({...ok, version: 2}),
        "",
        JSON.stringify({...ok, type: "set-state", state: "gone", note: null})
      ].join("\n")
    );
    const {events, problems} = readEvents(path);
    assert.equal(events.length, 1);
    assert.deepEqual(
      problems.map((p) => p.line),
      [2, 4]
    );
    assert.match(problems[0]!.reason, /^version: /);
    assert.match(problems[1]!.reason, /^state: /);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});
