// Every page of the site built from the demo workspace (`plumbline demo`: τ-bench, Who&When, the format fixtures),
// as a new user first sees it, in Chromium with the network cut off: what each page says at a glance, no console
// error on any, and, when the run asks, the screenshots in docs/images (see screenshots.ts).
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {ensureDemoWorkspace} from "../cli/demoCommand.js";
import {assertClean} from "./assertClean.js";
import {recordedPage} from "./chromium.js";
import {openBuiltSite, type OpenSite} from "./openBuiltSite.js";
import {screenshot, screenshotOptions, screenshotPage} from "./screenshots.js";
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

  before(async () => {
    built = await openBuiltSite("demo-ws", async (workspace) => {
      await ensureDemoWorkspace(workspace, true, () => {});
    });
    ({server, browser} = built);
  });

  after(() => built?.close());

  async function open(path: string, ready: string): Promise<{page: Page; done(): void}> {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}${path}`);
    await page.locator(ready).first().waitFor({timeout: 60_000});
    return {page, done: () => assertClean(record, path)};
  }

  it("load offline without a console error, and leave a screenshot of each when asked", async () => {
    assert.deepEqual(built.site.networkRequests, [], "the build asked the network for something");
    for (const {path, ready} of PAGES) {
      const {page, done} = await open(path, ready);
      // Charts draw after their data: give the page a moment for anything late to complain.
      await page.waitForTimeout(500);
      done();
      await page.context().close();
    }
    if (!screenshotOptions.dir) return;
    const page = await screenshotPage(browser);
    for (const {name, path, ready} of PAGES) {
      await page.goto(`${server.url}${path}`);
      await page.locator(ready).first().waitFor({timeout: 60_000});
      await page.waitForTimeout(300);
      await screenshot(page, name);
    }
    await page.context().close();
  });
});
