// The loader cache's rules: what is cleared, when, and for which workspace.
import assert from "node:assert/strict";
import {appendFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {cacheDir, invalidateIfWorkspaceChanged, invalidateLoaderCache, invalidateLoaderCacheFor} from "./cache.js";
import {tempDir} from "../fixtures/tempDir.js";

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

  it("marks a served cache's outputs stale instead of deleting them, and a build's check deletes them", () => {
    const root = tempDir("root");
    const workspace = tempDir("ws");
    writeFileSync(join(workspace, "plumbline.duckdb"), "v1");
    invalidateIfWorkspaceChanged(root, workspace);
    const cached = join(cacheDir(root), "data", "details.bin");
    mkdirSync(join(cacheDir(root), "data"), {recursive: true});
    writeFileSync(cached, "old");
    invalidateLoaderCache(root, {served: true});
    // Still there for a request being answered, but older than any loader file, so the preview runs it again.
    assert.equal(existsSync(cached), true);
    assert.equal(statSync(cached).mtimeMs, 0);
    // The workspace is unchanged since the stamp, yet a build must not take the stale output as it is.
    assert.equal(invalidateIfWorkspaceChanged(root, workspace), false);
    assert.equal(existsSync(cached), false);
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

describe("invalidateLoaderCacheFor(sourceRoot, workspace)", () => {
  it("clears a cache built from the changed workspace, under any name of it, and leaves another workspace's alone", (t) => {
    const root = tempDir("cache", t);
    const workspace = tempDir("cache", t);
    const other = tempDir("cache", t);
    const link = join(tempDir("cache", t), "link");
    symlinkSync(workspace, link, "dir");
    const cached = join(cacheDir(root), "data", "traces.arrow");
    const seed = () => (mkdirSync(join(cacheDir(root), "data"), {recursive: true}), writeFileSync(cached, "old"));

    seed();
    assert.equal(invalidateLoaderCacheFor(root, workspace), true, "a cache with no stamp is of unknown origin");
    assert.equal(existsSync(cached), false);

    seed();
    invalidateIfWorkspaceChanged(root, workspace);
    seed();
    assert.equal(invalidateLoaderCacheFor(root, other), false, "a command on another workspace");
    assert.equal(existsSync(cached), true);
    assert.equal(invalidateLoaderCacheFor(root, link), true, "the same workspace through a link");
    assert.equal(existsSync(cached), false);

    // A workspace that did not exist when the pages loaded is named as given; a command then creates it.
    const later = join(tempDir("cache", t), "later");
    invalidateIfWorkspaceChanged(root, later);
    seed();
    mkdirSync(later);
    assert.equal(invalidateLoaderCacheFor(root, later), true);
    assert.equal(existsSync(cached), false);
  });
});
