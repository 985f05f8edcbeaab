import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {tempDir} from "../fixtures/tempDir.js";
import {escapeHtml, notebookPages, pageLink} from "./notebookPages.js";

describe("notebookPages", () => {
  it("lists each notebook by title, skipping files whose names are not safe", () => {
    const root = tempDir("notebook-pages");
    mkdirSync(join(root, "notebooks", "data"), {recursive: true});
    writeFileSync(join(root, "notebooks", "weekly.md"), "---\ntitle: Weekly report\n---\n");
    writeFileSync(join(root, "notebooks", "by-model.md"), "# Calibration by model\n");
    writeFileSync(join(root, "notebooks", "Bad Name.md"), "# skipped\n");
    writeFileSync(join(root, "notebooks", "notes.txt"), "not a page");
    assert.deepEqual(notebookPages(root), [
      {name: "by-model", title: "Calibration by model", path: "/notebooks/by-model"},
      {name: "weekly", title: "Weekly report", path: "/notebooks/weekly"}
    ]);
  });

  it("finds none when the folder does not exist", () => {
    assert.deepEqual(notebookPages(tempDir("notebook-pages-none")), []);
  });
});

describe("pageLink", () => {
  it("links relatively, with the .html a plain static server needs", () => {
    assert.equal(pageLink("/index", "/"), "./index.html");
    assert.equal(pageLink("/traces", "/calibration"), "./calibration.html");
    assert.equal(pageLink("/traces", "/notebooks/weekly"), "./notebooks/weekly.html");
    assert.equal(pageLink("/notebooks/weekly", "/"), "../index.html");
    assert.equal(pageLink("/notebooks/weekly", "/notebooks/by-model"), "../notebooks/by-model.html");
  });
});

describe("escapeHtml", () => {
  it("leaves no markup in a title", () => {
    assert.equal(escapeHtml(`<img src=x onerror="a">&'`), "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;");
  });
});
