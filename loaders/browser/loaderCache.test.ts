// Framework reuses cached loader output whatever the workspace holds; this proves a changed workspace shows on the
// next build (the cache's own rules are proved in loaders/site/cache.test.ts).
import assert from "node:assert/strict";
import {readFileSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {tableFromIPC} from "apache-arrow";
import {span, traceInfo} from "../../src/core/schemas/trace.js";
import {buildSite, copyProject, keepOnly} from "./buildSite.js";
import {cacheDir, workspaceFingerprint} from "../site/cache.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";

const temporary: string[] = [];
after(() => temporary.forEach((dir) => rmSync(dir, {recursive: true, force: true})));

describe("observable build", {timeout: 300_000}, () => {
  it("shows a changed workspace on the next build, and a read-only build leaves the workspace unchanged", async () => {
    const workspace = tempDir("ws");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    const project = copyProject();
    temporary.push(project);
    // The trace list and its loaders: enough to see a loader's cached output, and a third of a full build.
    keepOnly(project, ["traces.md"]);

    const first = await buildSite(project, workspace);
    assert.equal(listedTraces(first.distDir), 4);
    // Reading the workspace must not look like a change, or every build would rerun every loader.
    assert.equal(
      readFileSync(join(cacheDir(join(project, "src")), "plumbline-workspace.json"), "utf8"),
      workspaceFingerprint(workspace)
    );

    const id = "trace-added-later";
    await writeFixtureWorkspace(workspace, [
      {
        format: "otlp",
        info: traceInfo(id, {
          name: "added later",
          startTime: Date.UTC(2026, 0, 6),
          endTime: Date.UTC(2026, 0, 6) + 500
        }),
        spans: [
          span(id, "s", {
            name: "step",
            kind: "llm",
            startTime: Date.UTC(2026, 0, 6),
            endTime: Date.UTC(2026, 0, 6) + 500,
            status: "ok"
          })
        ],
        messages: [],
        toolCalls: [],
        feedback: []
      }
    ]);
    const second = await buildSite(project, workspace);
    assert.equal(listedTraces(second.distDir), 5);
    assert.match(second.output, /load \/data\/traces\.arrow/, "the loader ran again");
  });
});

/** The number of rows in the built trace list. */
function listedTraces(distDir: string): number {
  const dir = join(distDir, "_file", "data");
  const name = readdirSync(dir).find((f) => f.startsWith("traces.") && f.endsWith(".arrow"));
  assert.ok(name, "the build has a trace list");
  return tableFromIPC(readFileSync(join(dir, name))).numRows;
}
