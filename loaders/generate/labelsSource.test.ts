import assert from "node:assert/strict";
import {join} from "node:path";
import {test} from "node:test";
import {workspaceInSpec} from "./labelsSource.js";

test("a spec names a workspace by its path in the repository, and one outside it without its path", () => {
  const root = join("/", "home", "ana", "plumbline");
  assert.equal(workspaceInSpec(join(root, "data"), root), "workspace data");
  assert.equal(workspaceInSpec(join(root, "work", "ws"), root), "workspace work/ws");
  assert.equal(workspaceInSpec(join("/", "home", "ana", "elsewhere"), root), "a workspace outside the repository");
  assert.equal(workspaceInSpec(join(root, "..data"), root), "workspace ..data");
  assert.doesNotMatch(workspaceInSpec(join("/", "tmp", "ws"), root), /tmp/);
});
