import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {describe, test} from "node:test";
import {verbNames} from "../cli/main.js";
import {builtHelpTexts, CLI_REFERENCE, renderCliReference} from "./cliReference.js";

describe("docs/cli.md", () => {
  test("lists every registered verb with its help, in the order plumbline --help gives them", () => {
    const text = renderCliReference({main: "Usage: plumbline", verbs: {ingest: "Usage: plumbline ingest", gate: "G"}});
    assert.deepEqual(
      [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]),
      ["plumbline ingest", "plumbline gate"]
    );
    assert.match(text, /```text\nUsage: plumbline ingest\n```/);
  });

  test("is what npm run docs:cli makes from the current build's help texts", async () => {
    const texts = await builtHelpTexts();
    assert.ok(texts, "the command's build is missing or stale: run npm run build:cli");
    assert.deepEqual(Object.keys(texts.verbs), verbNames(), "the build's help covers every registered verb");
    assert.equal(
      readFileSync(CLI_REFERENCE, "utf8"),
      renderCliReference(texts),
      "docs/cli.md is out of date: run npm run docs:cli"
    );
  });
});
