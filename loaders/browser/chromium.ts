/**
 * @module Debian's Chromium driven by playwright-core, with the network cut off and everything recorded.
 *
 * Two fences keep pages offline: a host-resolver rule that makes every name but loopback unresolvable, and a
 * route handler that aborts any request to another host. Each request, failed request, console error and
 * Content-Security-Policy violation is recorded, so a test can assert there were none.
 */
import {chromium, type Browser, type Page, type Response} from "playwright-core";
import {CHROMIUM_ARGS, CHROMIUM_PATH, SHARED_CHROMIUM_ENV} from "./chromiumLaunch.mjs";

/**
 * Chromium for a test file: the run's shared one when scripts/test.mjs started it (closing that only
 * disconnects), else one of its own. Either way each page gets a context of its own (`recordedPage`).
 */
export function launchChromium(): Promise<Browser> {
  const shared = process.env[SHARED_CHROMIUM_ENV];
  if (shared) return chromium.connect(shared);
  return chromium.launch({executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS]});
}

export function isLoopback(url: string): boolean {
  const {protocol, hostname} = new URL(url);
  if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return true;
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}

export interface PageRecord {
  requests: string[];
  /** Requests to anything but loopback (all of them aborted). */
  external: string[];
  failed: {url: string; error: string}[];
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
}

/** Opens a new page whose traffic and errors are recorded in the returned record. */
export async function recordedPage(browser: Browser): Promise<{page: Page; record: PageRecord}> {
  const context = await browser.newContext({viewport: {width: 1440, height: 900}});
  const record: PageRecord = {
    requests: [],
    external: [],
    failed: [],
    consoleErrors: [],
    pageErrors: [],
    cspViolations: []
  };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    record.external.push(url);
    return route.abort("blockedbyclient");
  });
  await context.exposeBinding(
    "__plumblineCsp",
    (_source, violation: string) => void record.cspViolations.push(violation)
  );
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as {__plumblineCsp(v: string): void}).__plumblineCsp(
        `${event.violatedDirective} ${event.blockedURI}`
      );
    });
  });
  const page = await context.newPage();
  page.on("request", (request) => void record.requests.push(request.url()));
  page.on(
    "requestfailed",
    (request) => void record.failed.push({url: request.url(), error: request.failure()?.errorText ?? "failed"})
  );
  page.on("console", (message) => {
    if (message.type() === "error") record.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => void record.pageErrors.push(error.message));
  return {page, record};
}

export interface RecordedTab {
  page: Page;
  /** What the page opened last did: emptied by each `open`. */
  record: PageRecord;
  /** Leaves the page open for a blank one, forgets it (its record and what it kept in storage) and opens `url`. */
  open(url: string): Promise<Response | null>;
}

/**
 * One tab that goes from page to page, each checked on its own: its pages share the HTTP cache, so DuckDB's
 * WebAssembly and the pages' bundles are fetched and compiled once rather than once a page, as a context of each
 * page's own would. Whatever leaving a page cancels is counted to neither page.
 */
export async function recordedTab(browser: Browser): Promise<RecordedTab> {
  const {page, record} = await recordedPage(browser);
  const open = async (url: string) => {
    if (page.url().startsWith("http")) {
      await page.evaluate(() => (localStorage.clear(), sessionStorage.clear()));
      await page.goto("about:blank");
    }
    for (const list of Object.values(record)) list.length = 0;
    return page.goto(url);
  };
  return {page, record, open};
}
