/**
 * @module Measures the explorer at scale: builds the site from a synthetic workspace (created when missing),
 * then times the first render of the trace list and the opening of traces, in Chromium, offline.
 *
 *   node --import tsx loaders/browser/measureExplorer.ts [workspace] [traces] [project copy to rebuild in]
 *
 * Passing the project copy of an earlier run reuses its loader cache, so only the pages are rebuilt.
 */
import {cpSync, existsSync, readdirSync, rmSync, statSync} from "node:fs";
import {join} from "node:path";
import {buildSite, copyProject} from "./buildSite.js";
import {launchChromium, recordedPage} from "./chromium.js";
import {addCspMeta} from "./csp.js";
import {serveStatic} from "./staticServer.js";
import {writeSyntheticWorkspace} from "./syntheticWorkspace.js";

const [workspace = "/tmp/plumbline-scale", traces = "100000", project] = process.argv.slice(2);
const ms = (start: number) => Math.round(performance.now() - start);

if (!existsSync(join(workspace, "plumbline.duckdb"))) {
  const start = performance.now();
  await writeSyntheticWorkspace(workspace, {traces: Number(traces)});
  console.log(`synthetic workspace: ${traces} traces in ${ms(start)} ms`);
}

let projectDir = copyProject();
if (project) {
  // Refresh the copy's sources but keep its cache: the workspace is unchanged, so the loaders need not rerun.
  cpSync(join(projectDir, "src"), join(project, "src"), {recursive: true});
  rmSync(projectDir, {recursive: true, force: true});
  projectDir = project;
}
const site = await buildSite(projectDir, workspace);
console.log(`project: ${projectDir}`);
console.log(`build: ${Math.round(site.elapsedMs)} ms; network requests: ${site.networkRequests.length}`);
for (const line of site.output.split("\n")) if (/load .*(traces|details|summary)/.test(line)) console.log(`  ${line.trim()}`);
const data = join(site.distDir, "_file", "data");
for (const name of readdirSync(data)) console.log(`  ${name}: ${(statSync(join(data, name)).size / 1e6).toFixed(2)} MB`);
addCspMeta(site.distDir);

const server = await serveStatic(site.distDir);
const browser = await launchChromium();
try {
  const {page, record} = await recordedPage(browser);
  let start = performance.now();
  await page.goto(`${server.url}/traces`);
  await page.locator(".pl-body .pl-row").first().waitFor({timeout: 60_000});
  console.log(`first render of the list: ${ms(start)} ms`);
  for (const n of [0, 5, 20]) {
    start = performance.now();
    await page.locator(".pl-body .pl-row").nth(n).click();
    await page.locator(".pl-tab-body > *").waitFor({timeout: 60_000});
    console.log(`open trace (row ${n}): ${ms(start)} ms`);
  }
  start = performance.now();
  await page.locator(".pl-search").fill("refund policy for order 42");
  await page.waitForFunction(() => /of [\d,]+ traces/.test(document.querySelector(".pl-count")?.textContent ?? ""), null, {timeout: 60_000});
  console.log(`first text search (builds the search index): ${ms(start)} ms`);
  console.log(`problems: ${JSON.stringify({external: record.external.length, failed: record.failed, console: record.consoleErrors, csp: record.cspViolations})}`);
} finally {
  await browser.close();
  await server.close();
}
