import assert from "node:assert/strict";
import {test} from "node:test";
import {bytesMayHoldSurrogates, mendSurrogates, SURROGATE_ESCAPE} from "./flags.js";

test("only escaped lone surrogates are suspected: an emoji escaped as a pair is not", () => {
  assert.equal(SURROGATE_ESCAPE.test(JSON.stringify({a: "cut \ud83d"})), true);
  assert.equal(SURROGATE_ESCAPE.test(JSON.stringify({a: "\udc00 cut"})), true);
  assert.equal(SURROGATE_ESCAPE.test(String.raw`{"a":"\ud83d\ude00 and \u00e9"}`), false);
  assert.equal(bytesMayHoldSurrogates(Buffer.from(String.raw`{"a":"\u00e9"}`)), false);
  assert.equal(bytesMayHoldSurrogates(Buffer.from(String.raw`{"a":"\uD83D\uDE00"}`)), true);
});

test("lone surrogates in values and keys become U+FFFD, deep values too, and a __proto__ key stays an own key", () => {
  const value = JSON.parse(
    String.raw`{"__proto__":{"x":"\ud83d"},"k\udc00":["ok","\ud800"],"deep":${"[".repeat(50_000)}"\ud83d"${"]".repeat(50_000)}}`
  ) as Record<string, unknown>;
  const {value: mended, mended: count} = mendSurrogates(value);
  assert.equal(count, 4);
  const record = mended as Record<string, unknown>;
  assert.ok(Object.hasOwn(record, "__proto__"));
  assert.deepEqual(Object.getOwnPropertyDescriptor(record, "__proto__")?.value, {x: "\ufffd"});
  assert.deepEqual(record["k\ufffd"], ["ok", "\ufffd"]);
  assert.equal(Object.getPrototypeOf(record), Object.prototype);
  let deep: unknown = record.deep;
  while (Array.isArray(deep)) deep = deep[0];
  assert.equal(deep, "\ufffd");
  assert.deepEqual(mendSurrogates("plain 😀"), {value: "plain 😀", mended: 0});
});
