/**
 * @module Screenshots of the pages for the docs, taken by the page tests so that they never go stale. Off unless
 * the run asks (`SCREENSHOTS=1 node scripts/test.mjs loaders/browser/demoSite` for the demo's pages,
 * `… loaders/browser/experimentsScreenshots` for Experiments and Pairwise review, which need the README's step 7
 * run on the demo first); the flag is read once, here. Each is the first screen of the page at a fixed viewport,
 * written to `docs/images/<name>.png`.
 *
 * Two runs write the same files. The pages show times of two kinds: the workspace's own (when the demo was
 * ingested, gated, promoted into a dataset) and the time the site was built or viewed as of. So the screenshot run
 * builds the demo workspace once per version of the command and of the demo data, keeps it
 * (`screenshotWorkspace`), and builds and shows the pages as of the time it was made (`PLUMBLINE_NOW` for the
 * data loaders, Playwright's clock in the page).
 */
import {createHash} from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs";
import {join, relative} from "node:path";
import type {Browser, Page} from "playwright-core";
import {buildDirOf, manifestPath} from "../bundle/currentBuild.mjs";
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

/**
 * A page at the screenshots' viewport, so that every PNG has the same size whatever the test's own pages use;
 * with `now`, its clock stands still at that time, so nothing the page computes from the time moves.
 */
export async function screenshotPage(browser: Browser, now?: string): Promise<Page> {
  const context = await browser.newContext({viewport: SCREENSHOT_VIEWPORT, deviceScaleFactor: 1});
  if (now) await context.clock.setFixedTime(new Date(now));
  return context.newPage();
}

/**
 * What a kept workspace is made from: the command's current build, the demo's input files and any others its
 * making reads (the scripted candidates of the README's step 7, say).
 */
function workspaceKey(inputs: readonly string[]): string {
  const hash = createHash("sha256");
  const manifest = manifestPath(buildDirOf(REPO_ROOT, {}));
  hash.update(existsSync(manifest) ? readFileSync(manifest) : "no build");
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) visit(path);
      else hash.update(`${relative(REPO_ROOT, path)}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const dir of [join(REPO_ROOT, "data", "demo"), ...inputs]) visit(dir);
  return hash.digest("hex").slice(0, 16);
}

/**
 * Copies into `into` the workspace `create` made, made once and kept (under node_modules/.cache, by `name`) until
 * the command, the demo data or the folders `inputs` change, and returns the time it was made: what the pages are
 * built and shown as of.
 */
export async function screenshotWorkspace(
  into: string,
  create: (workspace: string) => Promise<void>,
  name = "demo",
  inputs: readonly string[] = []
): Promise<string> {
  const key = workspaceKey(inputs);
  const kept = join(REPO_ROOT, "node_modules", ".cache", "plumbline", "screenshot-workspace", name, key);
  const stamp = join(kept, "made-at.json");
  if (!existsSync(stamp)) {
    const partial = `${kept}.${process.pid}`;
    rmSync(partial, {recursive: true, force: true});
    mkdirSync(partial, {recursive: true});
    await create(partial);
    writeFileSync(join(partial, "made-at.json"), JSON.stringify({now: new Date().toISOString()}));
    try {
      renameSync(partial, kept);
    } catch {
      // Another run kept its own first.
      rmSync(partial, {recursive: true, force: true});
    }
  }
  cpSync(kept, into, {recursive: true});
  return (JSON.parse(readFileSync(stamp, "utf8")) as {now: string}).now;
}

/** Writes `<dir>/<name>.png` of what `page` shows now, with the caret and animations stilled. */
export async function screenshot(page: Page, name: string, options = screenshotOptions): Promise<string | null> {
  if (!options.dir) return null;
  mkdirSync(options.dir, {recursive: true});
  const path = join(options.dir, `${name}.png`);
  await page.screenshot({path, animations: "disabled", caret: "hide"});
  return path;
}
