import assert from "node:assert/strict";
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {captureIo} from "../fixtures/captureIo.js";
import {tempDir} from "../fixtures/tempDir.js";
import {main} from "./main.js";

describe("plumbline notebook new", () => {
  it("writes a starting notebook that imports its libraries explicitly and loads the verdict table", async () => {
    const dir = tempDir("notebook-new");
    const io = captureIo();
    assert.equal(await main(["notebook", "new", "weekly-notes", "--dir", dir], io), 0);
    const text = readFileSync(join(dir, "weekly-notes.md"), "utf8");
    assert.match(text, /^title: weekly-notes$/m);
    assert.match(text, /import \* as Plot from "@observablehq\/plot"/);
    assert.match(text, /FileAttachment\("data\/verdicts\.arrow"\)\.arrayBuffer\(\)/);
    assert.match(text, /from "\.\.\/components\/blocks\.js"/);
    assert.match(io.stdout.join("\n"), /weekly-notes\.md/);
  });

  it("refuses to overwrite an existing notebook", async () => {
    const dir = tempDir("notebook-exists");
    writeFileSync(join(dir, "mine.md"), "# my own work\n");
    const io = captureIo();
    assert.equal(await main(["notebook", "new", "mine", "--dir", dir], io), 1);
    assert.match(io.stderr.join("\n"), /already exists: choose another name/);
    assert.equal(readFileSync(join(dir, "mine.md"), "utf8"), "# my own work\n");
  });

  it("says why a name is not a safe file name, and points at --help", async () => {
    const io = captureIo();
    assert.equal(await main(["notebook", "new", "../escape", "--dir", tempDir("notebook-bad")], io), 2);
    const err = io.stderr.join("\n");
    assert.match(err, /invalid notebook name: "\.\.\/escape" is not a safe file name/);
    assert.match(err, /plumbline notebook --help/);
  });

  it("has --help naming the folder and the no-overwrite rule", async () => {
    const io = captureIo();
    assert.equal(await main(["notebook", "--help"], io), 0);
    assert.match(io.stdout.join("\n"), /src\/notebooks\/<name>\.md/);
    assert.match(io.stdout.join("\n"), /never overwritten/);
  });
});

describe("the starting notebook", () => {
  it("imports only building blocks that blocks.ts exports", async () => {
    const dir = tempDir("notebook-imports");
    await main(["notebook", "new", "check", "--dir", dir], captureIo());
    const text = readFileSync(join(dir, "check.md"), "utf8");
    const names = /import \{([^}]+)\} from "\.\.\/components\/blocks\.js"/
      .exec(text)![1]!
      .split(",")
      .map((n) => n.trim());
    const blocks = readFileSync(new URL("../../src/components/blocks.ts", import.meta.url), "utf8");
    for (const name of names)
      assert.match(blocks, new RegExp(`export (async )?function ${name}\\b|export \\{[^}]*\\b${name}\\b`), name);
  });
});
