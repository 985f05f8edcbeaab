// A user's notebooks in the built site, and every link between pages, on a static server that maps nothing (no
// clean URLs, no index file for a folder, no Content-Security-Policy header: the pages' own meta policy is all),
// in Chromium with the network cut off. The site is the page tests' shared one, whose project holds a notebook
// written by `plumbline notebook new` (loaders/fixtures/fixtureSite.ts).
import assert from "node:assert/strict";
import {createReadStream, statSync} from "node:fs";
import {createServer} from "node:http";
import type {AddressInfo} from "node:net";
import {extname, join, normalize, sep} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import type {BuiltSite} from "./buildSite.js";
import {launchChromium, recordedPage, recordedTab} from "./chromium.js";
import {assertClean} from "./assertClean.js";
import {FIXTURE_NOTEBOOK, fixtureSite} from "../fixtures/fixtureSite.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  // As Python's http.server types it: WebAssembly is compiled from its response only when it says what it is.
  ".wasm": "application/wasm"
};

/** Serves exactly the file a path names, as `python3 -m http.server` would without its folder index: nothing else. */
async function plainServer(root: string): Promise<{url: string; close(): Promise<void>}> {
  const server = createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)));
    let file = false;
    try {
      file = path.startsWith(root + sep) && statSync(path).isFile();
    } catch {
      // Not there: a 404, like any static host.
    }
    if (!file) return void response.writeHead(404, {"content-type": "text/plain"}).end("not found");
    response.writeHead(200, {"content-type": TYPES[extname(path)] ?? "application/octet-stream"});
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}

describe("notebooks and links in the built site, on a static server that maps nothing", {timeout: 600_000}, () => {
  let site: BuiltSite;
  let server: Awaited<ReturnType<typeof plainServer>>;
  let browser: Browser;

  before(async () => {
    ({site} = await fixtureSite());
    server = await plainServer(site.distDir);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("builds a new notebook with no network and loads it with no request failed and no console error", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/notebooks/${FIXTURE_NOTEBOOK}.html`);
    const slices = page.locator("table.pl-nb-slices");
    await slices.waitFor();
    // The fixture's calibration part: one evaluator's verdicts, on traces without a model.
    assert.match(await slices.innerText(), /evaluator_id|key 1|\(none\)/);
    assert.ok((await page.locator("svg").count()) >= 1, "the starter's chart is drawn");
    assert.match(await page.locator("nav.pl-nav").innerText(), new RegExp(FIXTURE_NOTEBOOK));
    assertClean(record, `notebooks/${FIXTURE_NOTEBOOK}`);
  });

  it("shows calibration by model and prompt version, with drill-down into a confusion cell", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/notebooks/calibration-by-model.html`);
    await page.locator("table.pl-nb-slices").first().waitFor();
    await page.locator(".pl-calibration").waitFor();
    const header = await page.locator("table.pl-nb-slices").first().locator("thead").innerText();
    assert.match(header, /judge model\s+prompt version\s+pairs/);
    assertClean(record, "notebooks/calibration-by-model");
  });

  it("renders the weekly report: the gate's decision, what failed and what changed", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/notebooks/weekly-report.html`);
    await page.getByText(/^The week from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\.$/).waitFor();
    const text = await page.locator("main").innerText();
    assert.match(text, /gate runs? this week/);
    assert.match(text, /What failed/);
    assert.match(text, /What changed/);
    assertClean(record, "notebooks/weekly-report");
  });

  it("follows every link between pages, from the home page on, and every navigation link by a click", async () => {
    const start = `${server.url}/index.html`;
    const seen = new Set<string>([start]);
    const queue = [start];
    const files = new Set<string>();
    // One tab for the whole crawl (see recordedTab): DuckDB's WebAssembly is compiled once, not once a page.
    const tab = await recordedTab(browser);
    const {page, record} = tab;
    while (queue.length) {
      const url = queue.shift()!;
      const response = await tab.open(url);
      assert.equal(response?.status(), 200, `${url} answered ${response?.status()}`);
      await page.waitForLoadState("networkidle");
      const hrefs = await page.$$eval("a[href]", (links) => links.map((a) => (a as HTMLAnchorElement).href));
      for (const href of hrefs) {
        const target = new URL(href);
        if (target.origin !== server.url) continue;
        target.hash = "";
        const clean = target.href;
        if (clean.endsWith(".html")) {
          if (!seen.has(clean)) (seen.add(clean), queue.push(clean));
        } else files.add(clean);
      }
      assertClean(record, url);
    }
    await page.context().close();
    // Every page of the app and both notebooks, reached by links alone.
    for (const name of ["traces", "clusters", "annotate", "agreement", "calibration", "suite", "datasets", "monitor"])
      assert.ok(seen.has(`${server.url}/${name}.html`), `no link reaches ${name}.html`);
    for (const name of [FIXTURE_NOTEBOOK, "calibration-by-model", "weekly-report"])
      assert.ok(seen.has(`${server.url}/notebooks/${name}.html`), `no link reaches notebooks/${name}.html`);
    for (const file of files) {
      const response = await fetch(file);
      assert.equal(response.status, 200, `${file} answered ${response.status}`);
    }

    // Clicking, as a reader does: from a top-level page and from a notebook one folder down. Each link is clicked
    // with Control held, which opens its page in a new tab and leaves the page clicked from where it is: it is loaded
    // once rather than again for each link, and the page a click opens is closed once its document has answered
    // (the crawl above loaded every one of them to the end and checked it clean).
    for (const from of [`${server.url}/suite.html`, `${server.url}/notebooks/weekly-report.html`]) {
      const {page, record} = await recordedPage(browser);
      await page.goto(from);
      await page.waitForLoadState("networkidle");
      const count = await page.locator("nav.pl-nav a").count();
      assert.ok(count >= 12, `${from}: ${count} navigation links`);
      for (let i = 0; i < count; i++) {
        const link = page.locator("nav.pl-nav a").nth(i);
        const expected = await link.evaluate((a) => (a as HTMLAnchorElement).href);
        const [opened] = await Promise.all([page.context().waitForEvent("page"), link.click({modifiers: ["Control"]})]);
        await opened.waitForURL(expected, {waitUntil: "commit"});
        // A page opened by a click reports no response event of its own navigation: the page says what it got.
        const status = await opened.evaluate(
          () => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).responseStatus
        );
        assert.equal(status, 200, `${from} → ${expected}`);
        await opened.close();
      }
      assert.equal(page.url(), from, `${from}: a click left the page`);
      assertClean(record, `navigation from ${from}`);
      await page.context().close();
    }
  });
});
