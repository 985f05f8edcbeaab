// Framework turns some free names in a page (d3, Plot, html, Inputs, sample datasets…) into CDN imports. With the
// npm placeholders in place, such a page must fail the offline build loudly rather than quietly need a CDN.
import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {buildSite, copyProject, keepOnly} from "./buildSite.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("observable build", {timeout: 60_000}, () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, {recursive: true, force: true})));

  it("fails, offline, on a page that uses d3 without importing it", async () => {
    const project = copyProject();
    const workspace = tempDir("ws");
    dirs.push(project, workspace);
    // Only this page: the others and their loaders would make the build slower and prove nothing more.
    keepOnly(project, ["index.md"]);
    writeFileSync(join(project, "src", "index.md"), "# Implicit\n\n```js\ndisplay(d3.range(3))\n```\n");
    await assert.rejects(
      buildSite(project, workspace),
      /network request blocked: https:\/\/cdn\.jsdelivr\.net\/npm\/d3@0\.0\.0-offline/
    );
  });
});
