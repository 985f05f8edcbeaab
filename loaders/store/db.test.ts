import assert from "node:assert/strict";
import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {withConnection, withReadConnection} from "./db.js";

test("concurrent opens of one workspace in one process take turns, so no write is lost", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "plumbline-db-"));
  await withConnection(workspace, (c) => c.run("CREATE TABLE counter (n INTEGER)"));
  let open = 0;
  let most = 0;
  await Promise.all(Array.from({length: 8}, (_, i) => withConnection(workspace, async (c) => {
    most = Math.max(most, ++open);
    await c.run("INSERT INTO counter VALUES (?)", [i]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    open--;
  })));
  assert.equal(most, 1, "one instance at a time");
  const rows = await withReadConnection(workspace, async (c) => (await c.runAndReadAll("SELECT count(*)::INTEGER FROM counter")).getRows());
  assert.equal(rows[0]![0], 8);
});

test("opening the workspace again from inside an open does not wait on itself", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "plumbline-db-"));
  const inner = await withConnection(workspace, async () => withReadConnection(workspace, async () => "inner ran"));
  assert.equal(inner, "inner ran");
});
