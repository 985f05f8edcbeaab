import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {main} from "../cli/main.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {FIXTURE_NOW, clusterFixtureTraces} from "../clusters/fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../clusters/runClustering.js";
import {withConnection} from "../store/db.js";
import {failureModeRoutes} from "./routes.js";
import {captureIo} from "../fixtures/captureIo.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("failure-mode writes over HTTP and from the command line", () => {
  let workspace: string;
  let clusterId: string;
  before(async () => {
    workspace = tempDir("routes");
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    await withConnection(workspace, (c) => runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, semantic: false}));
    clusterId = await withConnection(workspace, async (c) =>
      String(
        (
          await c.runAndReadAll("SELECT cluster_id FROM clusters WHERE signature LIKE 'retrieval miss%'")
        ).getRows()[0]![0]
      )
    );
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  test("the routes promote a cluster, list it, refuse a bad move with its reason and a malformed body with 400", async () => {
    const app = failureModeRoutes({workspace, now: () => FIXTURE_NOW, evaluatorsDir: join(workspace, "none")});
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: {"content-type": "application/json"},
        body: typeof body === "string" ? body : JSON.stringify(body)
      });
    const created = await post("/promote", {
      name: "empty kb search",
      description: "the search found nothing",
      clusterId
    });
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as {mode: {traces: number}}).mode.traces, 6);
    const listed = (await (await app.request("/")).json()) as {modes: {name: string; state: string}[]};
    assert.deepEqual(
      listed.modes.map((m) => [m.name, m.state]),
      [["empty kb search", "new"]]
    );
    const moved = await post("/state", {name: "empty kb search", state: "triaged"});
    assert.equal(((await moved.json()) as {mode: {state: string}}).mode.state, "triaged");
    const refused = await post("/state", {name: "empty kb search", state: "verified_resolved"});
    assert.equal(refused.status, 400);
    assert.match(
      ((await refused.json()) as {error: string}).error,
      /cannot move a failure mode from triaged to verified_resolved/
    );
    const malformed = await post("/state", "{not json");
    assert.deepEqual([malformed.status, await malformed.json()], [400, {error: "the request body must be JSON"}]);
    const badState = await post("/state", {name: "empty kb search", state: "done"});
    assert.equal(badState.status, 400);
    assert.match(((await badState.json()) as {error: string}).error, /^state: /);
  });

  test("the CLI lists modes, moves them, and answers a bad state or action with a usage error", async () => {
    const env = {PLUMBLINE_WORKSPACE: workspace};
    const now = new Date(FIXTURE_NOW).toISOString();
    const moved = captureIo(env);
    assert.equal(
      await main(
        ["failure-mode", "set-state", "empty kb search", "annotated", "--note", "two reviewers", "--now", now],
        moved
      ),
      0
    );
    assert.match(moved.stdout.join("\n"), /^empty kb search {2}\[annotated\] {2}quiet\n {2}6 traces, 6 sessions/);
    const listed = captureIo(env);
    assert.equal(await main(["failure-mode", "list", "--json", "--now", now], listed), 0);
    const json = JSON.parse(listed.stdout.join("")) as {modes: {name: string; history: {note: string | null}[]}[]};
    assert.equal(json.modes[0]!.history.at(-1)!.note, "two reviewers");
    const bad = captureIo(env);
    assert.equal(await main(["failure-mode", "set-state", "empty kb search", "done"], bad), 2);
    assert.match(bad.stderr.join("\n"), /invalid state: done \(one of new, triaged/);
    const refused = captureIo(env);
    assert.equal(await main(["failure-mode", "set-state", "empty kb search", "verified_resolved"], refused), 1);
    assert.match(refused.stderr.join("\n"), /cannot move a failure mode from annotated to verified_resolved/);
    const unknown = captureIo(env);
    assert.equal(await main(["failure-mode", "forget"], unknown), 2);
    assert.match(unknown.stderr.join("\n"), /unknown action: forget/);
  });

  test("a new clustering run refreshes the failure_modes mirror", async () => {
    await withConnection(workspace, (c) => c.run("DELETE FROM failure_modes"));
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["cluster", "--signatures-only"], io), 0);
    assert.match(
      io.stdout.join("\n"),
      /^19 of 22 traces have a failure cue\n {2}3 signature clusters; the largest, 12 traces: /
    );
    const rows = await withConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT name, state, traces FROM failure_modes")).getRowObjectsJson()
    );
    assert.deepEqual(rows, [{name: "empty kb search", state: "annotated", traces: 6}]);
  });
});
