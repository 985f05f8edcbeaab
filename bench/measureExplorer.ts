/**
 * @module Measures the explorer at scale: builds the site from a workspace (a synthetic one is created when the
 * folder has none), then times the first render of the trace list and the opening of traces, in Chromium, offline.
 *
 *   node --import tsx bench/measureExplorer.ts [workspace] [traces] [project copy to rebuild in]
 *
 * Passing the project copy of an earlier run reuses its loader cache, so only the pages are rebuilt.
 */
import {cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {buildSite, copyProject, REPO_ROOT} from "../loaders/browser/buildSite.js";
import {launchChromium, recordedPage, type PageRecord} from "../loaders/browser/chromium.js";
import {addCspMeta} from "../loaders/site/csp.js";
import {serveStatic} from "../loaders/browser/staticServer.js";
import {writeSyntheticWorkspace} from "../loaders/store/syntheticWorkspace.js";

export interface ExplorerFigures {
  buildMs: number;
  /** Sizes of the data files the pages load, in bytes. */
  dataFiles: Record<string, number>;
  /** From navigation to the first row of the trace list, in a browser that has not loaded the site before: the median of `firstRenders`. */
  firstRenderMs: number;
  firstRenders: number[];
  openTraceMs: number[];
  firstSearchMs: number;
  problems: {external: number; failed: {url: string; error: string}[]; console: string[]; csp: string[]};
}

const FIRST_RENDERS = 3;

function addProblems(into: ExplorerFigures["problems"], record: PageRecord): ExplorerFigures["problems"] {
  into.external += record.external.length;
  into.failed.push(...record.failed);
  into.console.push(...record.consoleErrors);
  into.csp.push(...record.cspViolations);
  return into;
}

export async function measureExplorer(
  workspace: string,
  project?: string,
  log: (line: string) => void = () => {}
): Promise<ExplorerFigures> {
  // A folder of its own that outlives the process: its path is logged, so a later measurement can reuse its cache.
  let projectDir = copyProject(REPO_ROOT, mkdtempSync(join(tmpdir(), "plumbline-site-")));
  if (project) {
    // Refresh the copy's sources but keep its cache: the workspace is unchanged, so the loaders need not rerun.
    cpSync(join(projectDir, "src"), join(project, "src"), {recursive: true});
    rmSync(projectDir, {recursive: true, force: true});
    projectDir = project;
  }
  const site = await buildSite(projectDir, workspace);
  log(`project: ${projectDir}`);
  for (const line of site.output.split("\n")) if (/load .*(traces|details|summary)/.test(line)) log(`  ${line.trim()}`);
  const data = join(site.distDir, "_file", "data");
  const dataFiles = Object.fromEntries(readdirSync(data).map((name) => [name, statSync(join(data, name)).size]));
  addCspMeta(site.distDir);
  const server = await serveStatic(site.distDir);
  const browser = await launchChromium();
  const since = (start: number) => Math.round(performance.now() - start);
  try {
    // One load moves by tens of percent with the machine, so the page is loaded in fresh contexts (nothing cached)
    // a few times and the median counts; the last load stays open for the measures that follow.
    const firstRenders: number[] = [];
    let loaded: Awaited<ReturnType<typeof recordedPage>> | null = null;
    const problems: ExplorerFigures["problems"] = {external: 0, failed: [], console: [], csp: []};
    for (let load = 0; load < FIRST_RENDERS; load++) {
      if (loaded) await loaded.page.context().close();
      loaded = await recordedPage(browser);
      const start = performance.now();
      await loaded.page.goto(`${server.url}/traces`);
      await loaded.page.locator(".pl-body .pl-row").first().waitFor({timeout: 60_000});
      firstRenders.push(since(start));
      if (load < FIRST_RENDERS - 1) addProblems(problems, loaded.record);
    }
    const {page, record} = loaded!;
    const firstRenderMs = [...firstRenders].sort((a, b) => a - b)[FIRST_RENDERS >> 1]!;
    let start: number;
    const openTraceMs: number[] = [];
    for (const n of [0, 5, 20]) {
      start = performance.now();
      await page.locator(".pl-body .pl-row").nth(n).click();
      await page.locator(".pl-tab-body > *").waitFor({timeout: 60_000});
      openTraceMs.push(since(start));
    }
    start = performance.now();
    await page.locator(".pl-search").fill("refund policy for order 42");
    await page.waitForFunction(
      () => /of [\d,]+ traces/.test(document.querySelector(".pl-count")?.textContent ?? ""),
      null,
      {timeout: 60_000}
    );
    const firstSearchMs = since(start);
    return {
      buildMs: Math.round(site.elapsedMs),
      dataFiles,
      firstRenderMs,
      firstRenders,
      openTraceMs,
      firstSearchMs,
      problems: addProblems(problems, record)
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [workspace = "/tmp/plumbline-scale", traces = "100000", project] = process.argv.slice(2);
  if (!existsSync(join(workspace, "plumbline.duckdb"))) {
    const start = performance.now();
    await writeSyntheticWorkspace(workspace, {traces: Number(traces)});
    console.log(`synthetic workspace: ${traces} traces in ${Math.round(performance.now() - start)} ms`);
  }
  const figures = await measureExplorer(workspace, project, console.log);
  console.log(JSON.stringify(figures, null, 2));
}
