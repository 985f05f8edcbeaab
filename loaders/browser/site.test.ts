// The built site, driven in Chromium with the network cut off: it must load every page from itself alone,
// and trace text must reach the page as text. One build serves both tests; it is the slow part.
import assert from "node:assert/strict";
import {readFileSync, readdirSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import type {BuiltSite} from "./buildSite.js";
import {openFixtureSite} from "../fixtures/fixtureSite.js";
import type {OpenSite} from "./openBuiltSite.js";
import {recordedPage} from "./chromium.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT, HOSTILE_TRACE_ID} from "../fixtures/fixtureTraces.js";
import {serveStatic, type StaticServer} from "./staticServer.js";
import {assertClean} from "./assertClean.js";

const CDN_HOSTS = [
  "cdn.jsdelivr.net",
  "unpkg.com",
  "esm.sh",
  "esm.run",
  "fonts.googleapis.com",
  "fonts.gstatic.com",
  "cdn.observableusercontent.com",
  "api.observablehq.com",
  "events.observablehq.com",
  "cdnjs.cloudflare.com",
  "cdn.skypack.dev",
  "ga.jspm.io",
  "registry.npmjs.org"
];

/**
 * Names of CDN hosts inside DuckDB-WASM (SQL in a notebook, src/components/sql.ts), in code the page never runs:
 * the library's `getJsDelivrBundles()` builds jsDelivr URLs, which sql.ts does not call (it names the site's own
 * files), and the WebAssembly module carries an unpkg address as data. notebookSql.test.ts runs that SQL with the
 * network cut off and sees no request leave. Only these files, and only these hosts, are let through.
 */
const DEAD_HOST_NAMES: [file: RegExp, host: string][] = [
  [/^_node\/@duckdb\/duckdb-wasm@[^/]+\/index\.[\w-]+\.js$/, "cdn.jsdelivr.net"],
  [/^_node\/@duckdb\/duckdb-wasm@[^/]+\/dist\/duckdb-eh\.wasm$/, "unpkg.com"]
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

describe("the built site", {timeout: 300_000}, () => {
  let built: OpenSite;
  let site: BuiltSite;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    built = await openFixtureSite();
    ({site, server, browser} = built);
  });

  after(() => built?.close());

  it("references no CDN host and loads every page offline", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    for (const file of files(site.distDir)) {
      const text = readFileSync(file, "latin1");
      const name = relative(site.distDir, file);
      for (const host of CDN_HOSTS) {
        if (DEAD_HOST_NAMES.some(([pattern, allowed]) => allowed === host && pattern.test(name))) continue;
        assert.ok(!text.includes(host), `${name} names ${host}`);
      }
    }

    const overview = await recordedPage(browser);
    await overview.page.goto(`${server.url}/`);
    await overview.page.getByText("Error traces").waitFor();
    const cards = await overview.page.locator(".pl-cards").innerText();
    assert.match(cards, /Traces\s+4\b/);
    await overview.page.locator("svg").first().waitFor();
    assertClean(overview.record, "/");

    const traces = await recordedPage(browser);
    await traces.page.goto(`${server.url}/traces`);
    await traces.page.getByText("4 traces").waitFor();
    assert.equal(await traces.page.locator(".pl-body .pl-row").count(), 4);
    await traces.page.locator(".pl-body .pl-row", {hasText: "Where is my refund"}).click();
    await traces.page.locator(".pl-tool-failed").waitFor();
    const view = await traces.page.locator(".pl-detail").innerText();
    assert.match(view, /KeyError: order 991 not found/);
    assert.match(view, /thumbs: down/);
    await traces.page.getByRole("button", {name: /^Spans/}).click();
    await traces.page.locator(".pl-span-error").first().waitFor();
    assert.match(traces.page.url(), /#trace=trace-refund$/);
    // A static build has no API: the page keeps its snapshot and never polls for arriving traces (the poll, every
    // 2 s under `plumbline start`, would log a failed request in the console here).
    await traces.page.waitForTimeout(2500);
    assert.deepEqual(
      traces.record.requests.filter((url) => url.includes("/api/live")),
      []
    );
    assertClean(traces.record, "/traces");
  });

  it("keeps the filters in the URL, so a filtered list can be linked to", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/traces#tool_errors=1`);
    await page.getByText(/of 4 traces/).waitFor();
    assert.ok(await page.getByRole("checkbox").isChecked());
    const linked = await page.locator(".pl-body .pl-row").count();
    assert.ok(linked > 0 && linked < 4, `${linked} traces with tool errors`);
    await page.getByRole("searchbox", {name: "Search traces"}).fill("refund");
    // The URL changes through history.replaceState, which is no navigation for waitForURL to see.
    await page.waitForFunction(() => location.hash.includes("q=refund"));
    await page.locator(".pl-body .pl-row", {hasText: "Where is my refund"}).click();
    await page.waitForFunction(() => location.hash === "#q=refund&tool_errors=1&trace=trace-refund");
    // Reloading while the trace's details are still on their way would abort that request, and count it as failed.
    await page.locator(".pl-view .pl-tab-body").waitFor();
    await page.reload();
    await page.locator(".pl-view .pl-tab-body").waitFor();
    assert.equal(await page.getByRole("searchbox", {name: "Search traces"}).inputValue(), "refund");
    assert.equal(await page.locator(".pl-body .pl-row").count(), 1);
    assertClean(record, "/traces (linked filter)");
  });

  it("shows a trace's unknown tokens as —, never 0", async () => {
    const {page} = await recordedPage(browser);
    await page.goto(`${server.url}/traces#trace=trace-timeout`);
    await page.locator(".pl-view-head").waitFor();
    const metrics = await page.locator(".pl-metrics").innerText();
    assert.match(metrics, /Total tokens\s+—/);
    assert.match(metrics, /Cost\s+—/);
  });

  it("renders trace text as text, never HTML", async () => {
    // Without a policy: the strict one would block an injected inline handler and hide the bug this looks for.
    const open = await serveStatic(site.distDir, {csp: null});
    try {
      await hostileTraceIsText(`${open.url}/traces#trace=${HOSTILE_TRACE_ID}`);
    } finally {
      await open.close();
    }
  });

  async function hostileTraceIsText(url: string) {
    const {page, record} = await recordedPage(browser);
    await page.goto(url);
    await page.locator(".pl-conversation").waitFor();
    await page.getByRole("button", {name: /^Spans/}).click();
    await page.locator(".pl-span:not(.pl-span-head)").first().click();
    await page.locator(".pl-span-detail").waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
    assert.equal(await page.locator(".pl-detail img, .pl-list img").count(), 0);
    const text = await page.locator("body").innerText();
    assert.ok(text.includes(HOSTILE_SCRIPT), "the <script> text is visible");
    assert.ok(text.includes(HOSTILE_IMAGE), "the <img> text is visible");
    await page.getByRole("button", {name: /^Conversation/}).click();
    const conversation = await page.locator(".pl-conversation").innerText();
    assert.ok(conversation.includes(HOSTILE_SCRIPT));
    assert.ok(conversation.includes(HOSTILE_IMAGE));
    assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
    assertClean(record, "/traces (hostile trace)");
  }
});
