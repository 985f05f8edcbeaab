// `plumbline ingest` end to end through the command, on a folder of bad input: its summaries are compared whole
// with golden files.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, test} from "node:test";
import {captureIo} from "../fixtures/captureIo.js";
import {assertGolden} from "../fixtures/golden.js";
import {tempDir} from "../fixtures/tempDir.js";
import {main} from "./main.js";

const CASE = new URL("./golden/ingest-bad-input/", import.meta.url).pathname;
const INPUT = join(CASE, "input");

/**
 * What varies from run to run in the command's output, masked so it can be compared with a golden file: the input
 * folder (wherever the checkout is), the workspace, the quarantine file's time and process id, the durations and
 * peak memory, and the JSON parser's own message after "invalid JSON: " (its wording changes with Node's version).
 */
function stable(text: string, workspace: string): string {
  return text
    .split(INPUT)
    .join("<input>")
    .split(workspace)
    .join("<workspace>")
    .replace(/quarantine\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-\d+\.jsonl/g, "quarantine/<time>-<pid>.jsonl")
    .replace(/ in \d+\.\d s\b/, " in <seconds> s")
    .replace(/invalid JSON: [^"\n]*/g, "invalid JSON: <parser message>")
    .replace(/"durationMs": [\d.]+/, '"durationMs": "<ms>"')
    .replace(/"peakRssMb": [\d.]+/, '"peakRssMb": "<MB>"');
}

const lines = (stream: string[]) => `${stream.join("\n")}\n`;

describe("plumbline ingest", () => {
  test("a folder with good records of two formats, a malformed line, an empty file, a gzip file, a lone surrogate and a negative duration", async (t) => {
    const dir = tempDir("ingest-cli", t);
    // The input is read where it is: an ingest writes only to its workspace.
    const text = captureIo();
    const workspace = join(dir, "text");
    assert.equal(
      await main(["ingest", "--workspace", workspace, "--workers", "0", INPUT], text),
      0,
      text.stderr.join("\n")
    );
    const quarantine = text.stdout.join("\n").match(/written to (\S+)/)?.[1];
    assert.ok(quarantine, text.stdout.join("\n"));
    assert.deepEqual(
      readFileSync(quarantine, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).line),
      [3]
    );

    const json = captureIo();
    const jsonWorkspace = join(dir, "json");
    assert.equal(
      await main(["ingest", "--workspace", jsonWorkspace, "--workers", "0", "--json", INPUT], json),
      0,
      json.stderr.join("\n")
    );

    assertGolden(CASE, {
      "stdout.txt": stable(lines(text.stdout), workspace),
      "stderr.txt": stable(lines(text.stderr), workspace),
      "json-stdout.json": stable(lines(json.stdout), jsonWorkspace),
      "json-stderr.txt": stable(lines(json.stderr), jsonWorkspace)
    });
  });
});
