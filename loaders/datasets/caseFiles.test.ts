import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import type {DatasetCase} from "../../src/core/schemas/dataset.js";
import {withConnection} from "../store/db.js";
import {readDatasetCases} from "../store/datasets.js";
import {CaseFileError, readCases, writeCases} from "./caseFiles.js";
import {QUEUE_ID, writeDatasetWorkspace} from "./fixtures.js";
import {promoteTraces} from "./promote.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("dataset-files");
after(() => rmSync(root, {recursive: true, force: true}));
let cases: DatasetCase[];

before(async () => {
  const workspace = join(root, "ws");
  await writeDatasetWorkspace(workspace);
  cases = await withConnection(workspace, async (c) => {
    await promoteTraces(c, {
      workspace,
      name: "airline",
      source: {kind: "queue", id: QUEUE_ID},
      addedBy: "ana",
      now: new Date("2026-11-20T10:00:00.000Z")
    });
    await promoteTraces(c, {
      workspace,
      name: "airline",
      source: {kind: "traces", ids: ["trace-weather"]},
      addedBy: "bo",
      now: new Date("2026-11-21T10:00:00.000Z")
    });
    return (await readDatasetCases(c, "airline")).cases;
  });
});

describe("dataset case files", () => {
  test("JSON Lines and Parquet round-trip every case exactly, hostile text and nested span attributes included", async () => {
    assert.equal(cases.length, 4);
    for (const file of ["cases.jsonl", "cases.parquet"]) {
      const path = join(root, file);
      await writeCases(path, cases);
      const back = await readCases(path);
      assert.deepEqual(back.problems, [], file);
      assert.deepEqual(back.cases, cases, file);
    }
    assert.equal(readFileSync(join(root, "cases.jsonl"), "utf8").trimEnd().split("\n").length, 4);
  });

  test("the Parquet file has one typed column per field, readable by any Parquet reader", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const path = join(root, "cases.parquet").replace(/'/g, "''");
      const reader = await connection.runAndReadAll(
        `SELECT case_id, kind, expected_output, json_extract_string(context, '$.status') AS status FROM read_parquet('${path}')`
      );
      assert.deepEqual(reader.getRows(), [
        ["trace-refund", "confirmed_failure", "Let me look up order 919 for you.", "ok"],
        ["trace-hostile", "new_topic", null, "ok"],
        ["trace-timeout", "edge_case", null, "error"],
        ["trace-weather", "other", null, "ok"]
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  test("a malformed line names file, line and reason, and every other case still reads", async () => {
    const path = join(root, "broken.jsonl");
    const lines = cases.map((c) => JSON.stringify(c));
    const noKind = {...cases[2]!} as Record<string, unknown>;
    delete noKind.kind;
    writeFileSync(
      path,
      [lines[0], "{not json", "", JSON.stringify(noKind), lines[1], lines[0], lines[3]].join("\n") + "\n"
    );
    const {cases: read, problems} = await readCases(path);
    assert.deepEqual(
      read.map((c) => c.caseId),
      ["trace-refund", "trace-hostile", "trace-weather"]
    );
    assert.deepEqual(
      problems.map((p) => [p.file, p.line]),
      [
        [path, 2],
        [path, 4],
        [path, 6]
      ]
    );
    assert.match(problems[0]!.reason, /^not JSON/);
    assert.match(problems[1]!.reason, /^kind: /);
    assert.match(problems[2]!.reason, /repeats the case on line 1/);
  });

  test("a Parquet row that breaks the case format is reported by row; a file that is not an export is refused", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const good = join(root, "cases.parquet").replace(/'/g, "''");
    const bad = join(root, "bad rows.parquet");
    const other = join(root, "other.parquet");
    try {
      await connection.run(`COPY (SELECT * REPLACE (CASE WHEN case_id = 'trace-hostile' THEN 'mystery' ELSE kind END AS kind) FROM read_parquet('${good}'))
        TO '${bad.replace(/'/g, "''")}' (FORMAT parquet)`);
      await connection.run(`COPY (SELECT 1 AS x) TO '${other.replace(/'/g, "''")}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const {cases: read, problems} = await readCases(bad);
    assert.equal(read.length, 3);
    assert.deepEqual(
      problems.map((p) => p.line),
      [2]
    );
    assert.match(problems[0]!.reason, /^kind: /);
    await assert.rejects(
      readCases(other),
      (e: Error) => e instanceof CaseFileError && /lacks the columns format, case_id/.test(e.message)
    );
    await assert.rejects(readCases(join(root, "cases.csv")), /name a \.jsonl or \.parquet file/);
  });
});
