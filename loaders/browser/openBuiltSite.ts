/**
 * @module A built site for browser tests: a fresh workspace filled by the test, `observable build` of it with the
 * network cut off, the strict Content-Security-Policy added, `dist/` served on 127.0.0.1, and Debian's Chromium.
 * Building is the slow part, so each test file does it once, in `before`.
 */
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {Browser} from "playwright-core";
import {buildSite, copyProject, type BuiltSite} from "./buildSite.js";
import {launchChromium} from "./chromium.js";
import {addCspMeta} from "./csp.js";
import {serveStatic, type StaticServer} from "./staticServer.js";

export interface OpenSite {
  workspace: string;
  site: BuiltSite;
  server: StaticServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function openBuiltSite(prefix: string, fill: (workspace: string) => Promise<void>): Promise<OpenSite> {
  const workspace = mkdtempSync(join(tmpdir(), prefix));
  let site: BuiltSite | undefined;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site.projectDir, {recursive: true, force: true});
    rmSync(workspace, {recursive: true, force: true});
  };
  try {
    await fill(workspace);
    site = await buildSite(copyProject(), workspace);
    addCspMeta(site.distDir);
    server = await serveStatic(site.distDir, {csp: "strict"});
    browser = await launchChromium();
    return {workspace, site, server, browser, close};
  } catch (error) {
    await close();
    throw error;
  }
}
