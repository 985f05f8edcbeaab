import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {notebookTitle, parseNotebookName, starterNotebook} from "./notebookPage.js";

describe("parseNotebookName", () => {
  it("accepts lowercase words joined by hyphens or underscores, with or without .md", () => {
    assert.deepEqual(parseNotebookName("weekly-report"), {name: "weekly-report"});
    assert.deepEqual(parseNotebookName("by_model_2.md"), {name: "by_model_2"});
  });

  it("refuses names that are not safe file names, saying what a safe one looks like", () => {
    for (const bad of ["../etc", "a/b", "Weekly", "a b", "-x", "x-", "a--b", ".hidden", "a.b", "ü", ""]) {
      const parsed = parseNotebookName(bad);
      assert.ok("error" in parsed, `${JSON.stringify(bad)} was accepted`);
    }
    const parsed = parseNotebookName("My Report");
    assert.ok("error" in parsed && /lowercase letters, digits/.test(parsed.error));
    assert.ok("error" in parseNotebookName("x".repeat(65)));
    assert.ok("error" in parseNotebookName("index"));
  });
});

describe("notebookTitle", () => {
  it("takes the front matter's title, then the first heading, then the file name", () => {
    assert.equal(notebookTitle('---\ntitle: "Weekly report"\n---\n# Other\n', "w"), "Weekly report");
    assert.equal(notebookTitle("---\ntoc: false\n---\n\nText\n\n# Heading here\n", "w"), "Heading here");
    assert.equal(notebookTitle("No heading\n", "fallback"), "fallback");
  });

  it("gives a starter notebook its name as title", () => {
    assert.equal(notebookTitle(starterNotebook("my-notes"), "x"), "my-notes");
  });
});
