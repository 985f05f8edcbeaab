/**
 * @module A built site for browser tests: a fresh workspace filled by the test, `observable build` of it with the
 * network cut off, the strict Content-Security-Policy added, `dist/` served on 127.0.0.1, and Debian's Chromium.
 * Building is the slow part, so each test file does it once, in `before`, and the page tests that can share one
 * workspace share one build (`loaders/fixtures/fixtureSite.ts`).
 */
import {rmSync} from "node:fs";
import type {Browser} from "playwright-core";
import {buildSite, copyProject, keepOnly, type BuiltSite} from "./buildSite.js";
import {launchChromium} from "./chromium.js";
import {addCspMeta} from "../site/csp.js";
import {serveStatic, type StaticServer} from "./staticServer.js";
import {tempDir} from "../fixtures/tempDir.js";

export interface OpenSite {
  workspace: string;
  site: BuiltSite;
  server: StaticServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Serves a built site (policy already added) and launches Chromium; `close` stops both, then calls `cleanup`. */
export async function openSite(workspace: string, site: BuiltSite, cleanup: () => void): Promise<OpenSite> {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    cleanup();
  };
  try {
    server = await serveStatic(site.distDir, {csp: "strict"});
    browser = await launchChromium();
    return {workspace, site, server, browser, close};
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Builds a site of its own from a new workspace that `fill` writes, then opens it (`name` names the temp folder).
 * With `pages`, only those pages are built (see `keepOnly`); `env` adds to the build's environment.
 */
export async function openBuiltSite(
  name: string,
  fill: (workspace: string) => Promise<void>,
  pages?: readonly string[],
  env: Readonly<Record<string, string>> = {}
): Promise<OpenSite> {
  const workspace = tempDir(name);
  let site: BuiltSite | undefined;
  const cleanup = () => {
    if (site) rmSync(site.projectDir, {recursive: true, force: true});
    rmSync(workspace, {recursive: true, force: true});
  };
  try {
    await fill(workspace);
    const project = copyProject();
    if (pages) keepOnly(project, pages);
    site = await buildSite(project, workspace, env);
    addCspMeta(site.distDir);
  } catch (error) {
    cleanup();
    throw error;
  }
  return openSite(workspace, site, cleanup);
}
