// Every page of the site built from the demo workspace (`plumbline demo`: τ-bench, Who&When, the format fixtures),
// as a new user first sees it, in Chromium with the network cut off: what each page says at a glance, no console
// error on any, and, when the run asks, the screenshots in docs/images (see screenshots.ts). The site is the run's
// demo site (loaders/fixtures/demoSite.ts), shared with the published report's test.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {ensureDemoWorkspace} from "../cli/demoCommand.js";
import {assertClean} from "./assertClean.js";
import {recordedTab, type RecordedTab} from "./chromium.js";
import {openBuiltSite, type OpenSite} from "./openBuiltSite.js";
import {openDemoSite} from "../fixtures/demoSite.js";
import {screenshot, screenshotOptions, screenshotPage, screenshotWorkspace} from "./screenshots.js";
import {NOW_ENV} from "../site/pagesClock.js";
import type {StaticServer} from "./staticServer.js";

/** Each page, the element that shows it has drawn, and the name of its screenshot. */
const PAGES = [
  {name: "overview", path: "/", ready: ".pl-cards"},
  {name: "traces", path: "/traces", ready: ".pl-body .pl-row"},
  {name: "clusters", path: "/clusters", ready: ".pl-clusters tbody tr"},
  {name: "annotate", path: "/annotate", ready: ".pl-annotate-trace .pl-tabs"},
  {name: "agreement", path: "/agreement", ready: ".pl-agreement-criterion"},
  {name: "calibration", path: "/calibration", ready: "svg"},
  {name: "suite", path: "/suite", ready: "table"},
  {name: "datasets", path: "/datasets", ready: ".pl-ds-dataset"},
  {name: "monitor", path: "/monitor", ready: "main h1"}
] as const;

describe("the demo workspace's pages", {timeout: 600_000}, () => {
  let built: OpenSite;
  let server: StaticServer;
  let browser: Browser;

  /** The time the pages are built and shown as of, in a screenshot run (see screenshots.ts); else the clock's. */
  let now: string | undefined;

  before(async () => {
    // The run's demo site, which the published report's test reads too (its workspace also holds the shipped
    // evaluator's verdicts, which none of the checks below reads); a screenshot run builds a site of its own, as
    // of the time of the workspace kept for the screenshots.
    if (!screenshotOptions.dir) {
      built = await openDemoSite();
      ({server, browser} = built);
      return;
    }
    // Filled in before the build starts: the build runs as of the kept workspace's time.
    const env: Record<string, string> = {};
    built = await openBuiltSite(
      "demo-ws",
      async (workspace) => {
        const create = async (into: string) => void (await ensureDemoWorkspace(into, true, () => {}));
        now = await screenshotWorkspace(workspace, create);
        env[NOW_ENV] = now;
      },
      undefined,
      env
    );
    ({server, browser} = built);
  });

  after(() => built?.close());

  // One tab for every page (see recordedTab), each checked on its own.
  let tab: RecordedTab | undefined;

  /** The pages of PAGES that a check below opened and found clean, which the offline sweep need not open again. */
  const checked = new Set<string>();

  /**
   * Opens `path` once `ready` shows. `done` checks the page clean a moment later: charts draw after their data, so
   * anything late gets its chance to complain. A page of PAGES found clean this way counts for the offline sweep.
   */
  async function open(path: string, ready: string): Promise<{page: Page; done(): Promise<void>}> {
    tab ??= await recordedTab(browser);
    const {page, record} = tab;
    await tab.open(`${server.url}${path}`);
    await page.locator(ready).first().waitFor({timeout: 60_000});
    const done = async () => {
      await page.waitForTimeout(500);
      assertClean(record, path);
      if (PAGES.some((p) => p.path === path && p.ready === ready)) checked.add(path);
    };
    return {page, done};
  }

  it("overview: says how many traces are undated instead of plotting the few dated ones, and names τ-bench's model", async () => {
    const {page, done} = await open("/", ".pl-cards");
    assert.match(
      await page.locator(".pl-undated-note").innerText(),
      /^387 of 411 traces \(94%\) have no start time \(tau-bench, who-and-when record none\)/
    );
    assert.equal((await page.locator(".pl-timeline svg rect[fill]").count()) > 0, true, "the dated/undated bars");
    assert.match(await page.locator(".pl-small-table").nth(1).innerText(), /^gpt-4o\s+202\b/m);
    await done();
  });

  it("traces: the τ-bench runs lead, dates carry their year, and the conversation tab says what it counts", async () => {
    const list = await open("/traces", ".pl-body .pl-row");
    const first = await list.page.locator(".pl-body .pl-row").first().getAttribute("data-trace");
    assert.match(first!, /^tau-gpt-4o-airline-/);
    await list.done();
    // A page each: leaving a page cancels the detail file it was reading, which the check would count as a failure.
    const run = await open("/traces#trace=tau-gpt-4o-airline-0-0", ".pl-tabs");
    assert.equal(
      await run.page.getByRole("button", {name: /^Conversation/}).innerText(),
      "Conversation (32 messages + 8 tool calls)"
    );
    await run.done();
    const otlp = await open("/traces#format=otlp", ".pl-body .pl-row");
    await otlp.page
      .locator(".pl-body .pl-row", {hasText: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/})
      .first()
      .waitFor();
    await otlp.done();
  });

  it("clusters: names cut on a word, volume undated where the traces have no time, and no trend from one ingest", async () => {
    const {page, done} = await open("/clusters", ".pl-clusters tbody tr");
    const names = await page
      .locator(".pl-clusters .pl-name")
      .evaluateAll((els) => els.map((e) => ({text: e.textContent ?? "", title: e.getAttribute("title") ?? ""})));
    const cut = names.filter((n) => n.text !== n.title);
    assert.ok(cut.length > 0, "some demo cluster names are long");
    for (const {text, title} of cut) {
      assert.ok(text.endsWith("…"), text);
      assert.ok(title.startsWith(text.slice(0, -1)), text);
      assert.match(title.slice(text.length - 1), /^[\s,.;:·—-]/, `cut inside a word: ${text}`);
    }
    assert.ok((await page.locator(".pl-clusters .pl-undated", {hasText: /^undated$/}).count()) > 0);
    assert.equal(await page.locator(".pl-modes .pl-trend-escalating").count(), 0);
    await done();
  });

  it("datasets and the queue pane: counts in the plural, a placeholder with room for its text", async () => {
    const datasets = await open("/datasets", ".pl-ds-dataset");
    assert.match(await datasets.page.locator(".pl-ds-kinds").first().innerText(), /^\d+ confirmed failures$/);
    await datasets.done();
    const annotate = await open("/annotate", ".pl-annotate-trace .pl-tabs");
    const room = await annotate.page.locator(".pl-queue-filter").evaluate((input: HTMLInputElement) => {
      const style = getComputedStyle(input);
      const context = document.createElement("canvas").getContext("2d")!;
      context.font = `${style.fontSize} ${style.fontFamily}`;
      const inner = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return inner - context.measureText(input.placeholder).width;
    });
    assert.ok(room >= 0, `the placeholder is ${-room}px too wide`);
    await annotate.done();
  });

  it("load offline without a console error, and leave a screenshot of each when asked", async () => {
    assert.deepEqual(built.site.networkRequests, [], "the build asked the network for something");
    // The pages the checks above did not open; each opens on its own when this test runs alone.
    for (const {path, ready} of PAGES.filter((p) => !checked.has(p.path))) await (await open(path, ready)).done();
    if (!screenshotOptions.dir) return;
    const page = await screenshotPage(browser, now);
    for (const {name, path, ready} of PAGES) {
      await page.goto(`${server.url}${path}`);
      await page.locator(ready).first().waitFor({timeout: 60_000});
      await page.waitForTimeout(300);
      await screenshot(page, name);
    }
    await page.context().close();
  });
});
