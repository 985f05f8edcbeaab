/**
 * @module Screenshots of the pages for the docs, taken by the page tests so that they never go stale. Off unless
 * the run asks (`SCREENSHOTS=1 node scripts/test.mjs loaders/browser/demoSite`); the flag is read once, here.
 * Each is the first screen of the page at a fixed viewport, written to `docs/images/<name>.png`.
 */
import {mkdirSync} from "node:fs";
import {join} from "node:path";
import type {Browser, Page} from "playwright-core";
import {REPO_ROOT} from "./buildSite.js";

export const SCREENSHOT_VIEWPORT = {width: 1280, height: 800};

export interface ScreenshotOptions {
  /** Where the PNGs go; null takes none. */
  dir: string | null;
}

/** What this run asks for, from its environment: read once, so tests never touch the environment themselves. */
export const screenshotOptions: ScreenshotOptions = {
  dir: process.env.SCREENSHOTS === "1" ? join(REPO_ROOT, "docs", "images") : null
};

/** A page at the screenshots' viewport, so that every PNG has the same size whatever the test's own pages use. */
export async function screenshotPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({viewport: SCREENSHOT_VIEWPORT, deviceScaleFactor: 1});
  return context.newPage();
}

/** Writes `<dir>/<name>.png` of what `page` shows now, with the caret and animations stilled. */
export async function screenshot(page: Page, name: string, options = screenshotOptions): Promise<string | null> {
  if (!options.dir) return null;
  mkdirSync(options.dir, {recursive: true});
  const path = join(options.dir, `${name}.png`);
  await page.screenshot({path, animations: "disabled", caret: "hide"});
  return path;
}
