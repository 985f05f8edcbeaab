import assert from "node:assert/strict";
import {test} from "node:test";
import {recordsFromBlock} from "./records.js";

const lines = (records: ReturnType<typeof recordsFromBlock>) =>
  records.map((r) => [r.line, r.text ?? `base64:${r.base64}`]);

test("an ASCII block becomes one record a line, numbered from the block's first line, without CRs or blank lines", () => {
  const block = Buffer.from('{"a":1}\r\n\n   \r\n  {"b":2}\n\t\n{"c":"x\\u00e9"}', "latin1");
  assert.deepEqual(lines(recordsFromBlock(block, 41)), [
    [41, '{"a":1}'],
    [44, '  {"b":2}'],
    [46, '{"c":"x\\u00e9"}']
  ]);
  assert.deepEqual(
    recordsFromBlock(block, 41).map((r) => r.ordinal),
    [40, 43, 45]
  );
});

test("a block with UTF-8 text keeps its characters, and only its undecodable line is set aside as base64", () => {
  const bad = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]);
  const block = Buffer.concat([
    Buffer.from('{"q":"café ☕"}\r\n\u00a0\u3000\n', "utf8"),
    bad,
    Buffer.from('\n{"r":"日本"}', "utf8")
  ]);
  assert.deepEqual(lines(recordsFromBlock(block, 1)), [
    [1, '{"q":"café ☕"}'],
    [3, `base64:${bad.toString("base64")}`],
    [4, '{"r":"日本"}']
  ]);
});

test("a block that is a single line, or nothing, gives that line or no record", () => {
  assert.deepEqual(lines(recordsFromBlock(Buffer.from("[1,2]"), 7)), [[7, "[1,2]"]]);
  assert.deepEqual(recordsFromBlock(new Uint8Array(0), 1), []);
});
