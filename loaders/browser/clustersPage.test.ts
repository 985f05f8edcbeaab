// The Clusters page, built from a workspace clustered by `plumbline cluster` and served offline under the strict
// policy: the map and the table render, brushing the map filters the trace list, and trace text stays text.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {span, traceInfo} from "../../src/core/schemas/trace.js";
import {FIXTURE_NOW, clusterFixtureTraces} from "../clusters/fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../clusters/runClustering.js";
import {promote} from "../failureModes/actions.js";
import {withConnection} from "../store/db.js";
import type {BuiltSite} from "./buildSite.js";
import {openBuiltSite, type OpenSite} from "./openBuiltSite.js";
import {recordedPage} from "./chromium.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT, message} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace, type FixtureTrace} from "../fixtures/fixtureWorkspace.js";
import {serveStatic, type StaticServer} from "./staticServer.js";
import {assertClean} from "./assertClean.js";
import {NOW_ENV} from "../site/pagesClock.js";

/** A failing trace whose error, user turn and name are markup that would run if any of it became HTML. */
function hostileFailure(): FixtureTrace {
  const id = "hostile-failure";
  const start = FIXTURE_NOW - 3_600_000;
  return {
    format: "otlp",
    info: traceInfo(id, {name: HOSTILE_IMAGE, startTime: start, endTime: start + 10, status: "error"}),
    spans: [
      span(id, "root", {name: HOSTILE_IMAGE, kind: "agent", startTime: start, endTime: start + 10, status: "error"}),
      span(id, "tool", {
        parentSpanId: "root",
        name: "issue_refund",
        kind: "tool",
        startTime: start,
        endTime: start + 5,
        status: "error"
      })
    ],
    messages: [message(id, 0, {role: "user", content: `${HOSTILE_SCRIPT} refund`})],
    toolCalls: [
      {
        traceId: id,
        spanId: "tool",
        callId: "c",
        index: 0,
        name: "issue_refund",
        arguments: null,
        result: null,
        success: false,
        error: HOSTILE_IMAGE
      }
    ],
    feedback: []
  };
}

describe("the Clusters page", {timeout: 180_000}, () => {
  let built: OpenSite;
  let site: BuiltSite;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    built = await openBuiltSite(
      "clusters-ws",
      async (workspace) => {
        await writeFixtureWorkspace(workspace, [...clusterFixtureTraces(), hostileFailure()]);
        await withConnection(workspace, (c) => runClustering(c, DEFAULT_CLUSTER_OPTIONS));
        const clusterId = await withConnection(workspace, async (c) =>
          String(
            (
              await c.runAndReadAll("SELECT cluster_id FROM clusters WHERE signature LIKE 'retrieval miss%'")
            ).getRows()[0]![0]
          )
        );
        await promote(
          {workspace, now: FIXTURE_NOW},
          {name: "empty kb search", description: "the knowledge base returned nothing", clusterId}
        );
      },
      ["clusters.md"],
      // The pages are built as of the fixture's own time, so its traces fall in the last 30 days.
      {[NOW_ENV]: new Date(FIXTURE_NOW).toISOString()}
    );
    ({site, server, browser} = built);
  });

  after(() => built?.close());

  const listTitle = (page: Page) => page.locator(".pl-list-title").innerText();

  it("renders the map and the cluster table, and brushing the map filters the trace list", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/clusters`);
    await page.locator(".pl-map svg circle").first().waitFor();
    assert.equal(await page.locator(".pl-map svg circle").count(), 20);
    assert.match(await listTitle(page), /^all 20 traces on the map$/i);
    assert.equal(await page.locator(".pl-trace-list li").count(), 20);
    const first = page
      .locator(".pl-clusters tbody tr[data-cluster]", {
        hasText: "issue_refund failed: RefundError: order <n> not found"
      })
      .first();
    await first.waitFor();
    // What makes the signature, under its name: one chip a field, with the value its traces share.
    assert.equal(
      await first.locator(".pl-made-of").innerText(),
      "tool: issue_refund · error: RefundError: order <n> not found in ledger"
    );
    assert.deepEqual(await first.locator(".pl-made-of .pl-chip").evaluateAll((xs) => xs.map((x) => x.dataset.field)), [
      "failing tool",
      "normalised error"
    ]);
    const miss = page.locator(".pl-clusters tbody tr[data-cluster]", {hasText: "retrieval miss in"}).first();
    assert.match(await miss.locator(".pl-made-of").innerText(), /^retrieval miss: \S/);
    // What the refund failures are about: the topic cluster that holds all of them.
    assert.match(
      await first.locator(".pl-topic").innerText(),
      /^about: .*(refund|shipping|delay).* \(topic-\d+, 100% of its traces\)$/
    );
    assert.ok((await page.locator(".pl-clusters tbody tr[data-cluster]").count()) >= 4);
    assert.equal((await page.locator(".pl-spark rect").count()) > 0, true);
    // Brush the left half of the map: some traces, not all, and exactly the ones listed.
    const overlay = await page.locator(".pl-brush .overlay").boundingBox();
    assert.ok(overlay);
    const inside = await page.evaluate(
      ({x0, x1, y0, y1}) => {
        let n = 0;
        for (const c of document.querySelectorAll(".pl-map svg circle")) {
          const r = c.getBoundingClientRect();
          const [cx, cy] = [r.x + r.width / 2, r.y + r.height / 2];
          if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1) n++;
        }
        return n;
      },
      {x0: overlay.x + 1, x1: overlay.x + overlay.width / 2, y0: overlay.y + 1, y1: overlay.y + overlay.height - 1}
    );
    await page.mouse.move(overlay.x + 1, overlay.y + 1);
    await page.mouse.down();
    await page.mouse.move(overlay.x + overlay.width / 4, overlay.y + overlay.height / 2, {steps: 5});
    await page.mouse.move(overlay.x + overlay.width / 2, overlay.y + overlay.height - 1, {steps: 5});
    await page.mouse.up();
    await page.getByText(/traces in the brushed area/i).waitFor();
    assert.match(await listTitle(page), new RegExp(`^${inside} traces in the brushed area$`, "i"));
    assert.ok(inside > 0 && inside < 20, `brushed ${inside} of 20`);
    assert.equal(await page.locator(".pl-trace-list li").count(), inside);

    // Drill down: a cluster's traces, representatives first, each linking to the explorer.
    await first.getByRole("button", {name: "traces"}).click();
    assert.match(await listTitle(page), /^signature · 12 traces, representatives first/i);
    // The map dims every other trace.
    const lit = await page.locator('.pl-map svg circle[fill-opacity="0.75"]').count();
    assert.equal(lit, 12);
    const href = await page.locator(".pl-trace-list li a").first().getAttribute("href");
    // The link names the .html file, so that it works on a static server that maps nothing (components/pageLink.ts).
    assert.match(href!, /\/traces\.html#trace=refund-\d+$/);

    // After the brush, which needs the map on screen: the cluster's id, which commands take, is on the row with a copy button; the map has a legend of its clusters.
    const id = await first.locator(".pl-cluster-id").innerText();
    assert.match(id, /^sig-[0-9a-f]{16}$/);
    await first.getByRole("button", {name: `Copy ${id}`}).click();
    await first.locator(".pl-copy", {hasText: /copied|selected/}).waitFor();
    assert.match(await page.locator(".pl-map-legend").innerText(), /S1\b[\s\S]*S2\b/);

    // Promotion on the static site: the form shows the equivalent command.
    await first.getByRole("button", {name: "promote…"}).click();
    await page.getByRole("textbox", {name: "Failure-mode name"}).fill("refund lookup's failing");
    const command = await page.locator(".pl-promote .pl-command").innerText();
    assert.match(
      command,
      /^plumbline failure-mode promote --name 'refund lookup'\\''s failing' --cluster sig-[0-9a-f]{16}$/
    );
    assert.ok(command.endsWith(id), "the command names the id shown on the row");

    // The registry: the promoted mode with its state, trend and volume, and the command for a move.
    const mode = page.locator('.pl-modes tr[data-mode="empty kb search"]');
    assert.match(await mode.innerText(), /empty kb search[\s\S]*new[\s\S]*\b6\b/);

    // Failure modes over time: the mode's traces a day as a line, its days with traces as dots, and a legend.
    const trend = page.locator(".pl-mode-trend");
    assert.equal(await trend.locator('svg g[aria-label="line"] path').count(), 1);
    const days = await trend.locator('svg g[aria-label="dot"] circle title').allTextContents();
    assert.ok(days.length > 0);
    const perDay = days.map((t) => /^empty kb search: (\d+) on \d{4}-\d\d-\d\d$/.exec(t));
    assert.ok(perDay.every(Boolean), days.join("; "));
    assert.equal(
      perDay.reduce((sum, m) => sum + Number(m![1]), 0),
      6,
      "every trace of the mode on its day"
    );
    assert.match((await trend.textContent()) ?? "", /empty kb search[\s\S]*traces a day/);
    assertClean(record);
  });

  it("renders trace text from errors and user turns as text, never HTML", async () => {
    // Without a policy: the strict one would block an injected handler and hide the bug this looks for.
    const open = await serveStatic(site.distDir, {csp: null});
    try {
      const {page, record} = await recordedPage(browser);
      await page.goto(`${open.url}/clusters`);
      await page.locator(".pl-clusters").waitFor();
      await page.locator(".pl-cluster-table select").selectOption("signature");
      const row = page.locator(".pl-clusters tbody tr[data-cluster]", {hasText: "<img"});
      // The chips under its name hold the same error as text.
      assert.ok((await row.locator(".pl-made-of").innerText()).includes("error: <img"));
      await row.getByRole("button", {name: "traces"}).click();
      const body = await page.locator("body").innerText();
      // The signature holds the error as a template (its quoted value a placeholder): the tag's text is shown.
      assert.ok(body.includes(HOSTILE_IMAGE.replace(/"[^"]*"/, "<str>")), "the <img> text is visible");
      assert.ok(body.includes(HOSTILE_SCRIPT), "the <script> text is visible");
      assert.equal(await page.locator(".pl-clusters img, .pl-trace-list img, .pl-trace-list script").count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
      assertClean(record);
    } finally {
      await open.close();
    }
  });
});
