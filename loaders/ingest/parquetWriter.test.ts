import assert from "node:assert/strict";
import {join} from "node:path";
import {after, test} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import {ParquetWriter} from "./parquetWriter.js";
import {tempDir} from "../fixtures/tempDir.js";

async function readBack(path: string, sql = "SELECT * FROM read_parquet(?)"): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(sql, [path]);
    return result.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test("DuckDB reads back every value the Parquet writer wrote, nulls, non-ASCII text and empty strings included", async () => {
  const path = join(tempDir("parquet"), "rows.parquet");
  const writer = new ParquetWriter(path, [
    {name: "text", type: "string"},
    {name: "number", type: "double"},
    {name: "count", type: "int32"},
    {name: "flag", type: "boolean"}
  ]);
  const rows = [
    {text: "plain", number: 1.5, count: 1, flag: true},
    {text: null, number: null, count: null, flag: null},
    {text: "", number: -0.25, count: -7, flag: false},
    {text: 'héllo 世界 🙂 "quoted"\n<script>', number: 1767225600123.456, count: 2147483647, flag: true},
    {text: "x".repeat(100_000), number: Number.NaN, count: 2 ** 40, flag: false}
  ];
  for (const row of rows) {
    writer.string(0, row.text);
    writer.double(1, row.number);
    writer.int32(2, row.count);
    writer.boolean(3, row.flag);
    writer.endRow();
  }
  writer.close();
  const read = await readBack(path);
  assert.deepEqual(read, [
    {text: "plain", number: 1.5, count: 1, flag: true},
    {text: null, number: null, count: null, flag: null},
    {text: "", number: -0.25, count: -7, flag: false},
    {text: 'héllo 世界 🙂 "quoted"\n<script>', number: 1767225600123.456, count: 2147483647, flag: true},
    // NaN and integers out of INT32's range are not values the column can hold: they stay unknown.
    {text: "x".repeat(100_000), number: null, count: null, flag: false}
  ]);
});

test("a file of many row groups keeps every row, in order, with nulls in the right places", async () => {
  const path = join(tempDir("parquet"), "many.parquet");
  const writer = new ParquetWriter(path, [
    {name: "id", type: "int32"},
    {name: "label", type: "string"},
    {name: "even", type: "boolean"}
  ]);
  const n = 100_003;
  for (let i = 0; i < n; i++) {
    writer.int32(0, i);
    writer.string(1, i % 3 === 0 ? null : `row ${i}`);
    writer.boolean(2, i % 5 === 0 ? null : i % 2 === 0);
    writer.endRow();
  }
  writer.close();
  assert.equal(writer.rowCount, n);
  const [summary] = await readBack(
    path,
    `SELECT count(*)::INTEGER AS n, count(label)::INTEGER AS labels,
    count(*) FILTER (WHERE label IS DISTINCT FROM CASE WHEN id % 3 = 0 THEN NULL ELSE 'row ' || id END)::INTEGER AS wrong_labels,
    count(*) FILTER (WHERE even IS DISTINCT FROM CASE WHEN id % 5 = 0 THEN NULL ELSE id % 2 = 0 END)::INTEGER AS wrong_flags,
    sum(id)::DOUBLE AS ids FROM read_parquet(?)`
  );
  assert.deepEqual(summary, {n, labels: n - Math.ceil(n / 3), wrong_labels: 0, wrong_flags: 0, ids: (n * (n - 1)) / 2});
  const [groups] = await readBack(
    path,
    "SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM parquet_metadata(?)"
  );
  assert.ok((groups!.groups as number) > 1, "more rows than one row group holds");
});

test("a file with no rows is a valid empty Parquet file", async () => {
  const path = join(tempDir("parquet"), "empty.parquet");
  const writer = new ParquetWriter(path, [{name: "text", type: "string"}]);
  writer.close();
  assert.deepEqual(await readBack(path), []);
});

test("strings of every length, ASCII or not, null or not, come back exactly, in batches and across row groups", async () => {
  const path = join(tempDir("parquet"), "strings.parquet");
  const writer = new ParquetWriter(path, [
    {name: "i", type: "int32"},
    {name: "text", type: "string"}
  ]);
  // A seeded generator, so a failure can be replayed: lengths jump from empty to thousands of characters.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const expected: (string | null)[] = [];
  for (let i = 0; i < 40_000; i++) {
    const r = random();
    const text = r < 0.1 ? null : r < 0.15 ? "" : (r < 0.2 ? "é世🙂" : "ab").repeat(Math.floor(random() ** 4 * 3000));
    expected.push(text);
    writer.int32(0, i);
    writer.string(1, text);
    writer.endRow();
  }
  writer.close();
  const rows = await readBack(path, "SELECT text FROM read_parquet(?) ORDER BY i");
  assert.equal(rows.length, expected.length);
  const wrong = rows.findIndex((row, i) => row.text !== expected[i]);
  assert.equal(wrong, -1, `row ${wrong} differs`);
});

test("string lengths that jump by tens of millions of characters, past the packer's integer path, come back exactly", async () => {
  const path = join(tempDir("parquet"), "wide.parquet");
  const writer = new ParquetWriter(path, [
    {name: "i", type: "int32"},
    {name: "text", type: "string"}
  ]);
  // Deltas of ±60 M make the miniblock 27 bits wide, and the third value (120 M) is packed after six pending bits:
  // in a 32-bit integer it would overflow.
  const lengths = [0, 0, 0, 60_000_000, 0, 1, 2];
  for (const [i, length] of lengths.entries()) {
    writer.int32(0, i);
    writer.string(1, String.fromCharCode(97 + i).repeat(length));
    writer.endRow();
  }
  writer.close();
  const rows = await readBack(
    path,
    "SELECT length(text) AS n, left(text, 1) AS c, right(text, 1) AS z FROM read_parquet(?) ORDER BY i"
  );
  assert.deepEqual(
    rows.map((row) => Number(row.n)),
    lengths
  );
  assert.deepEqual(
    rows.map((row) => [row.c, row.z]),
    lengths.map((length, i) => (length ? [String.fromCharCode(97 + i), String.fromCharCode(97 + i)] : ["", ""]))
  );
});

test("a json column reads back as DuckDB's JSON type, text unchanged, while a string column stays VARCHAR", async () => {
  const path = join(tempDir("parquet"), "json.parquet");
  const writer = new ParquetWriter(path, [
    {name: "text", type: "string"},
    {name: "doc", type: "json"}
  ]);
  const docs = ['{"gen_ai.usage.input_tokens":176,"tags":["a","é"]}', null, "[]"];
  for (const doc of docs) {
    writer.string(0, doc);
    writer.string(1, doc);
    writer.endRow();
  }
  writer.close();
  const types = await readBack(path, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))");
  assert.deepEqual(types, [
    {column_name: "text", column_type: "VARCHAR"},
    {column_name: "doc", column_type: "JSON"}
  ]);
  const read = await readBack(
    path,
    "SELECT CAST(doc AS VARCHAR) AS doc, doc->>'$.tags[1]' AS second FROM read_parquet(?)"
  );
  assert.deepEqual(read, [
    {doc: docs[0], second: "é"},
    {doc: null, second: null},
    {doc: "[]", second: null}
  ]);
});
