// Promotion on the Clusters page served by `plumbline start`, in Chromium with the network cut off: a cluster
// promoted from its row appears in the failure-mode table at once, without a reload, and the registry holds it.
import assert from "node:assert/strict";
import {readFileSync, rmSync} from "node:fs";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {clusterFixtureTraces} from "../clusters/fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../clusters/runClustering.js";
import {eventLogPath} from "../failureModes/eventLog.js";
import {loadRegistry} from "../failureModes/registry.js";
import {failureModeRoutes} from "../failureModes/routes.js";
import {startServer, type RunningServer} from "../server/serve.js";
import {withConnection} from "../store/db.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";
import {launchChromium, recordedPage} from "./chromium.js";
import {assertClean} from "./assertClean.js";

const NAME = "refund lookup fails";

describe("promoting a cluster on the Clusters page", {timeout: 240_000}, () => {
  let workspace: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    workspace = tempDir("clusters-promote");
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    await withConnection(workspace, (c) => runClustering(c, DEFAULT_CLUSTER_OPTIONS));
    // The failure-mode routes, as `plumbline start` mounts them.
    server = await startServer({
      workspace,
      host: "127.0.0.1",
      port: 0,
      subApps: [{path: "/api/failure-modes", app: failureModeRoutes({workspace})}]
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("shows the promoted cluster in the failure-mode table without a reload, and the registry records it", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/clusters`, {timeout: 120_000});
    const row = page
      .locator(".pl-clusters tbody tr[data-cluster]", {hasText: "issue_refund failed: RefundError"})
      .first();
    await row.waitFor({timeout: 60_000});
    const clusterId = await row.getAttribute("data-cluster");
    assert.match(clusterId ?? "", /^sig-[0-9a-f]{16}$/);
    // No mode yet: the table is not there, its empty note is.
    assert.equal(await page.locator(`.pl-modes tr[data-mode="${NAME}"]`).count(), 0);
    await page.getByText(/^No failure modes yet/).waitFor();

    // The page is not reloaded: a mark set on its window now is still there at the end.
    await page.evaluate(() => ((window as unknown as {__samePage?: boolean}).__samePage = true));
    await row.getByRole("button", {name: "promote…"}).click();
    await page.getByRole("textbox", {name: "Failure-mode name"}).fill(NAME);
    await page.getByRole("textbox", {name: "Description"}).fill("the refund tool cannot find the order");
    await page.getByRole("button", {name: "Promote", exact: true}).click();
    // The form's status line says what the server answered.
    const status = page.locator(".pl-promote > .pl-muted").last();
    await page.waitForFunction(
      () => !/^(Promoting…)?$/.test(document.querySelector(".pl-promote > .pl-muted:last-child")?.textContent ?? ""),
      null,
      {timeout: 30_000}
    );
    assert.equal(await status.innerText(), `Promoted: “${NAME}” is now among the failure modes below.`);

    const mode = page.locator(`.pl-modes tr[data-mode="${NAME}"]`);
    await mode.waitFor({timeout: 10_000});
    assert.match(await mode.innerText(), /refund lookup fails\s+the refund tool cannot find the order\s+new\s/);
    // Its volume is the cluster's: the row's traces column, as the cluster table counts them.
    const size = (await row.locator("td").nth(2).innerText()).trim();
    assert.equal((await mode.locator("td").nth(3).innerText()).trim(), size);
    assert.equal(await page.evaluate(() => (window as unknown as {__samePage?: boolean}).__samePage), true);

    const {modes} = await withConnection(workspace, (c) => loadRegistry(c, {workspace, now: Date.now()}));
    const stored = modes.find((m) => m.name === NAME);
    assert.ok(stored, "the registry holds the promoted mode");
    assert.deepEqual(stored.clusterIds, [clusterId]);
    assert.equal(stored.description, "the refund tool cannot find the order");
    // The promotion keeps the cluster's member traces: the twelve refund failures.
    const events = readFileSync(eventLogPath(workspace), "utf8").trim().split("\n");
    const promoted = JSON.parse(events.at(-1)!) as {cluster: {traceIds: string[]}};
    assert.deepEqual(promoted.cluster.traceIds, Array.from({length: 12}, (_, i) => `refund-${i}`).sort());
    assertClean(record, "/clusters");
  });
});
