// Framework reuses cached loader output whatever the workspace holds; these prove a changed workspace shows.
import assert from "node:assert/strict";
import {appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {tableFromIPC} from "apache-arrow";
import {span, traceInfo} from "../../src/core/schemas/trace.js";
import {buildSite, copyProject} from "./buildSite.js";
import {cacheDir, invalidateIfWorkspaceChanged, invalidateLoaderCache, workspaceFingerprint} from "../site/cache.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";

const temporary: string[] = [];
after(() => temporary.forEach((dir) => rmSync(dir, {recursive: true, force: true})));

describe("invalidateLoaderCache(sourceRoot)", () => {
  it("deletes loader outputs and keeps Framework's own caches", () => {
    const root = tempDir("root");
    mkdirSync(join(cacheDir(root), "data"), {recursive: true});
    mkdirSync(join(cacheDir(root), "_npm", "d3@0.0.0-offline"), {recursive: true});
    writeFileSync(join(cacheDir(root), "data", "traces.arrow"), "old");
    writeFileSync(join(cacheDir(root), "summary.json"), "old");
    invalidateLoaderCache(root);
    assert.deepEqual(readdirSync(cacheDir(root)), ["_npm"]);
  });

  it("does nothing when there is no cache yet", () => {
    invalidateLoaderCache(join(tempDir("root"), "missing"));
  });
});

describe("invalidateIfWorkspaceChanged(sourceRoot, workspace)", () => {
  it("clears the cache for an unknown or changed workspace, and only then", () => {
    const root = tempDir("root");
    const workspace = tempDir("ws");
    const cached = join(cacheDir(root), "data", "traces.arrow");
    const seed = () => (mkdirSync(join(cacheDir(root), "data"), {recursive: true}), writeFileSync(cached, "old"));
    writeFileSync(join(workspace, "plumbline.duckdb"), "v1");

    seed();
    assert.equal(invalidateIfWorkspaceChanged(root, workspace), true, "a cache with no stamp is of unknown origin");
    assert.equal(existsSync(cached), false);

    seed();
    assert.equal(invalidateIfWorkspaceChanged(root, workspace), false);
    assert.equal(existsSync(cached), true);

    appendFileSync(join(workspace, "plumbline.duckdb"), "v2");
    assert.equal(invalidateIfWorkspaceChanged(root, workspace), true, "the database grew");
    assert.equal(existsSync(cached), false);

    seed();
    assert.equal(invalidateIfWorkspaceChanged(root, tempDir("ws")), true, "another workspace");
    assert.equal(existsSync(cached), false);
  });
});

describe("observable build", {timeout: 300_000}, () => {
  it("shows a changed workspace on the next build, and a read-only build leaves the workspace unchanged", async () => {
    const workspace = tempDir("ws");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    const project = copyProject();
    temporary.push(project);

    const first = await buildSite(project, workspace);
    assert.equal(listedTraces(first.distDir), 4);
    // Reading the workspace must not look like a change, or every build would rerun every loader.
    assert.equal(readFileSync(join(cacheDir(join(project, "src")), "plumbline-workspace.json"), "utf8"), workspaceFingerprint(workspace));

    const id = "trace-added-later";
    await writeFixtureWorkspace(workspace, [{
      format: "otlp",
      info: traceInfo(id, {name: "added later", startTime: Date.UTC(2026, 0, 6), endTime: Date.UTC(2026, 0, 6) + 500}),
      spans: [span(id, "s", {name: "step", kind: "llm", startTime: Date.UTC(2026, 0, 6), endTime: Date.UTC(2026, 0, 6) + 500, status: "ok"})],
      messages: [], toolCalls: [], feedback: []
    }]);
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
