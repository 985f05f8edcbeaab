import {test} from "node:test";
import assert from "node:assert/strict";
import {fnv1a64} from "./hash.js";

test("fnv1a64 reproduces the published FNV-1a 64 test vectors", () => {
  assert.equal(fnv1a64(""), "cbf29ce484222325");
  assert.equal(fnv1a64("a"), "af63dc4c8601ec8c");
  assert.equal(fnv1a64("foobar"), "85944171f73967e8");
});

test("fnv1a64 hashes the UTF-8 bytes of non-ASCII text, as other implementations do", () => {
  // Computed with a reference implementation over "héllo 👋".encode("utf-8").
  assert.equal(fnv1a64("héllo 👋"), "7f88f6cbd1e4ef7d");
});
