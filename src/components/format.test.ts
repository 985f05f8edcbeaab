import assert from "node:assert/strict";
import {test} from "node:test";
import {shorten} from "./format.js";

test("shorten cuts on a word boundary with an ellipsis, and leaves short text whole", () => {
  const name = "tool book_reservation failed in tau-bench airline agent: Error: payment amount does not add up";
  const short = shorten(name, 40);
  assert.equal(short, "tool book_reservation failed in…");
  assert.ok(short.length <= 40);
  assert.equal(shorten("refund failed", 40), "refund failed");
  assert.equal(shorten(name, 40, ""), "tool book_reservation failed in");
});

test("shorten cuts inside a word only when one word alone is too long", () => {
  assert.equal(shorten("a".repeat(50), 10), `${"a".repeat(9)}…`);
});
