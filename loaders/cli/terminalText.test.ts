import assert from "node:assert/strict";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {openAnnotationService} from "../annotations/service.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {captureIo} from "../fixtures/captureIo.js";
import {main} from "./main.js";
import {terminalText} from "./terminalText.js";

/** Clears the screen, then sets the window title to "pwned". */
const HOSTILE = "\x1b[2J\x1b]0;pwned\x07";
/** A control character, C1 CSI, DEL, a bidi override and an isolate. */
const UNSAFE = ["\x1b", "\x07", "\x00", "\r", "\x9b", "\x7f", "\u202e", "\u2066"];

describe("terminalText(text)", () => {
  test("escapes control characters, C1, DEL and bidi controls visibly; keeps newlines, tabs and other text", () => {
    assert.equal(terminalText(`a${HOSTILE}b`), "a\\u001b[2J\\u001b]0;pwned\\u0007b");
    for (const c of UNSAFE) assert.ok(!terminalText(`x${c}y`).includes(c), JSON.stringify(c));
    assert.equal(terminalText("line 1\n\tline 2 — café ✓ 😀 עברית"), "line 1\n\tline 2 — café ✓ 😀 עברית");
  });

  test("JSON stays JSON with the same values", () => {
    const value = {label: `${UNSAFE.join("")}${HOSTILE} \\ end`};
    assert.deepEqual(JSON.parse(terminalText(JSON.stringify(value))), value);
  });
});

describe("commands print trace and label text escaped", () => {
  const workspace = mkdtempSync(join(tmpdir(), "plumbline-terminal-"));
  after(() => rmSync(workspace, {recursive: true, force: true}));
  before(async () => {
    const traces = fixtureTraces().map((t) =>
      t.info.status === "error"
        ? {...t, spans: t.spans.map((s) => ({...s, statusMessage: `upstream timeout ${HOSTILE}`}))}
        : t
    );
    await writeFixtureWorkspace(workspace, traces);
    const service = openAnnotationService({workspace});
    for (const [traceId, pass] of [
      ["t1", true],
      ["t2", false],
      ["t3", false]
    ] as const) {
      for (const annotator of [`ana${HOSTILE}`, "bo"]) {
        await service.create({
          traceId,
          criterion: "overall",
          annotator,
          pass,
          source: "reviewer",
          failureMode: pass ? null : `refund ${HOSTILE}loop`
        });
      }
    }
    await service.close();
  });

  const unsafeIn = (text: string) => UNSAFE.filter((c) => text.includes(c));
  const run = async (args: string[]) => {
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    const status = await main(args, io);
    return {status, text: [...io.stdout, ...io.stderr].join("\n")};
  };

  test("cluster: the largest signature, named after an error message", async () => {
    const {status, text} = await run(["cluster", "--signatures-only"]);
    assert.equal(status, 0, text);
    assert.match(text, /upstream timeout \\u001b\[.*pwned\\u0007/);
    assert.deepEqual(unsafeIn(text), []);
  });

  test("failure-mode list: a mode named in labels", async () => {
    const {status, text} = await run(["failure-mode", "list"]);
    assert.equal(status, 0, text);
    assert.match(text, /refund \\u001b\[2J/);
    assert.deepEqual(unsafeIn(text), []);
  });

  test("annotations agreement: an annotator's name", async () => {
    const {status, text} = await run(["annotations", "agreement"]);
    assert.equal(status, 0, text);
    assert.match(text, /ana\\u001b\[2J\\u001b\]0;pwned\\u0007 · bo|bo · ana\\u001b/);
    assert.deepEqual(unsafeIn(text), []);
  });
});
