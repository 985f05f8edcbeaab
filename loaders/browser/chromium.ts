/**
 * @module Debian's Chromium driven by playwright-core, with the network cut off and everything recorded.
 *
 * Two fences keep pages offline: a host-resolver rule that makes every name but loopback unresolvable, and a
 * route handler that aborts any request to another host. Each request, failed request, console error and
 * Content-Security-Policy violation is recorded, so a test can assert there were none.
 */
import {chromium, type Browser, type Page} from "playwright-core";

export const CHROMIUM_PATH = process.env.PLUMBLINE_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Rules are separated by commas and EXCLUDE takes one host, so "EXCLUDE localhost,127.0.0.1" would leave
  // 127.0.0.1 mapped to nothing; each loopback name gets its own rule.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({executablePath: CHROMIUM_PATH, args: ARGS});
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
