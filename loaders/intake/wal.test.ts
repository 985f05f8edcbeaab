import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {intakeDir, listSegments, openWalWriter} from "./wal.js";

test("every appended line is logged whole and in order, though the caller reuses its bytes once append returns", async () => {
  const workspace = tempDir("wal");
  try {
    const wal = openWalWriter({workspace});
    const scratch = Buffer.alloc(3 << 20);
    const expected: string[] = [];
    const appends: Promise<void>[] = [];
    // Appended without waiting, so that most go in groups written while earlier ones are on their way to disk; some
    // are larger than the buffers the log starts with.
    for (let i = 0; i < 200; i++) {
      const line = `{"n":${i},"pad":"${String.fromCharCode(97 + (i % 26)).repeat(i % 50 === 7 ? 2 << 20 : i * 97)}"}`;
      const length = scratch.write(line);
      appends.push(wal.append([scratch.subarray(0, length), `{"after":${i}}`]));
      scratch.fill(0x21, 0, length);
      expected.push(line, `{"after":${i}}`);
    }
    await Promise.all(appends);
    await wal.close();
    const text = listSegments(workspace)
      .map((name) => readFileSync(join(intakeDir(workspace), name), "utf8"))
      .join("");
    const lines = text.split("\n");
    assert.equal(lines.pop(), "", "the log ends with a whole line");
    assert.equal(lines.length, expected.length);
    // Line by line, so that a failure names the line rather than printing megabytes of both.
    for (const [i, line] of lines.entries()) if (line !== expected[i]) assert.fail(`line ${i + 1} is not as appended`);
  } finally {
    removeTempDir(workspace);
  }
});
