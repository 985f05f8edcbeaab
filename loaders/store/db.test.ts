import assert from "node:assert/strict";
import {test} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import {dbPath, withConnection, withReadConnection} from "./db.js";
import {TABLES} from "./ddl.js";
import {tempDir} from "../fixtures/tempDir.js";

test("concurrent opens of one workspace in one process take turns, so no write is lost", async () => {
  const workspace = tempDir("db");
  await withConnection(workspace, (c) => c.run("CREATE TABLE counter (n INTEGER)"));
  let open = 0;
  let most = 0;
  await Promise.all(
    Array.from({length: 8}, (_, i) =>
      withConnection(workspace, async (c) => {
        most = Math.max(most, ++open);
        await c.run("INSERT INTO counter VALUES (?)", [i]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        open--;
      })
    )
  );
  assert.equal(most, 1, "one instance at a time");
  const rows = await withReadConnection(workspace, async (c) =>
    (await c.runAndReadAll("SELECT count(*)::INTEGER FROM counter")).getRows()
  );
  assert.equal(rows[0]![0], 8);
});

test("opening the workspace again from inside an open does not wait on itself", async () => {
  const workspace = tempDir("db");
  const inner = await withConnection(workspace, async () => withReadConnection(workspace, async () => "inner ran"));
  assert.equal(inner, "inner ran");
});

test("a new workspace stores free text with ZSTD, and one created before keeps its format and compression", async () => {
  const compressionOf = async (workspace: string) =>
    withReadConnection(workspace, async (c) => {
      const rows = (
        await c.runAndReadAll(`SELECT DISTINCT compression FROM pragma_storage_info('spans')
      WHERE column_name = 'attributes' AND compression NOT IN ('Constant', 'Empty Validity')`)
      ).getRows();
      return rows.map((row) => String(row[0]));
    });
  const fill = (workspace: string) =>
    withConnection(workspace, async (c) => {
      await c.run(`INSERT INTO spans (trace_id, span_id, name, kind, status, attributes)
      SELECT 't' || (i // 10), 's' || i, 'chat', 'llm', 'ok', json_object('gen_ai.response.id', 'chatcmpl-' || i, 'n', i)
      FROM range(20000) r(i)`);
      await c.run("CHECKPOINT");
    });
  const fresh = tempDir("db");
  await fill(fresh);
  assert.deepEqual(await compressionOf(fresh), ["ZSTD"]);

  // A store written before: DuckDB's default format, the spans table as it was created then (FSST).
  const older = tempDir("db");
  const instance = await DuckDBInstance.create(dbPath(older));
  const connection = await instance.connect();
  await connection.run(
    `CREATE TABLE spans (${TABLES.spans.replace("attributes JSON USING COMPRESSION zstd", "attributes JSON USING COMPRESSION fsst")})`
  );
  connection.closeSync();
  instance.closeSync();
  await fill(older);
  assert.deepEqual(await compressionOf(older), ["FSST"]);
});
