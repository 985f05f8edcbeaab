// The trace list the Traces page reads, on a workspace that has a store and no trace yet (a new folder given to
// `plumbline start`): an empty table with every column, not a failed loader.
import assert from "node:assert/strict";
import {join} from "node:path";
import {test} from "node:test";
import {tableFromIPC} from "apache-arrow";
import {tempDir} from "../fixtures/tempDir.js";
import {withConnection, withReadConnection} from "./db.js";
import {traceListIPC} from "./traceList.js";

test("a workspace with no trace gives an empty list that still has every column", async (t) => {
  const workspace = join(tempDir("empty-trace-list", t), "ws");
  await withConnection(workspace, async () => {});
  const list = tableFromIPC(await withReadConnection(workspace, traceListIPC));
  assert.equal(list.numRows, 0);
  assert.ok(
    list.schema.fields.some((f) => f.name === "trace_id"),
    list.schema.fields.map((f) => f.name).join(", ")
  );
});
