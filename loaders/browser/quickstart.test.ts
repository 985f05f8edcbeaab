// The README's quickstart, as a new user meets it: `plumbline start` builds the demo from the bundled real traces
// and serves the explorer, which must work in Chromium with the network cut off. `npm start` does so in the
// default workspace (data/); here, in a temp folder, `--demo` asks for it. A folder the user names without
// `--demo` starts empty and works as well.
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {rmSync} from "node:fs";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {launchChromium, recordedPage, recordedTab, type PageRecord} from "./chromium.js";
import {tempDir} from "../fixtures/tempDir.js";

/** The demo's traces: 200 τ-bench runs, 184 Who&When runs, and 27 from the format fixtures. */
const DEMO_TRACES = 411;

/**
 * The address `plumbline start` serves at, once its pages answer. It is read from what the command prints: when
 * the port asked for is taken (a server of an earlier test still closing), it takes the next free one.
 */
async function waitForServer(child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`plumbline start exited with ${child.exitCode}:\n${output()}`);
    const base = /Plumbline is serving .* at (http:\/\/[^/\s]+)\//.exec(output())?.[1];
    try {
      if (base && (await fetch(`${base}/traces`)).ok) return base;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`plumbline start did not answer within 90 s:\n${output()}`);
}

interface Started {
  workspace: string;
  base: string;
  output(): string;
  stop(): void;
}

/** `plumbline start` with `args` on a new temp workspace, named by $PLUMBLINE_WORKSPACE, once it answers. */
async function start(name: string, args: string[]): Promise<Started> {
  const workspace = tempDir(name);
  const port = 40_000 + Math.floor(Math.random() * 10_000);
  let output = "";
  const child = spawn(process.execPath, ["bin/plumbline.js", "start", "--no-open", "--port", String(port), ...args], {
    cwd: PROJECT_ROOT,
    env: {...process.env, PLUMBLINE_WORKSPACE: workspace, CI: "1", NO_COLOR: "1"},
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  });
  child.stdout!.on("data", (data: Buffer) => (output += data));
  child.stderr!.on("data", (data: Buffer) => (output += data));
  const stop = () => {
    // The command and the preview server it starts form one process group.
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    rmSync(workspace, {recursive: true, force: true});
  };
  let base: string;
  try {
    base = await waitForServer(child, () => output);
  } catch (error) {
    stop();
    throw error;
  }
  return {workspace, base, output: () => output, stop};
}

function assertClean(record: PageRecord, path = ""): void {
  assert.deepEqual(record.external, [], `${path}: requests left the machine`);
  assert.deepEqual(record.failed, [], `${path}: requests failed`);
  assert.deepEqual(record.consoleErrors, [], `${path}: console errors`);
  assert.deepEqual(record.pageErrors, [], `${path}: uncaught errors`);
}

describe("plumbline start on a new workspace", {timeout: 300_000}, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  describe("with --demo", () => {
    let started: Started;
    before(async () => {
      started = await start("quickstart", ["--demo"]);
    });
    after(() => started?.stop());

    it("builds the demo workspace and serves the trace explorer, offline", async () => {
      const {base, output} = started;
      assert.match(output(), /demo workspace ready: 411 traces/);
      const {page, record} = await recordedPage(browser);
      await page.goto(`${base}/traces#trace=tau-gpt-4o-airline-0-0`);
      await page.locator(".pl-body .pl-row").first().waitFor({timeout: 60_000});
      assert.match((await page.locator(".pl-count").textContent()) ?? "", new RegExp(`${DEMO_TRACES} traces`));
      await page
        .getByText("Hi! I'm looking to book a flight from New York to Seattle on May 20th.")
        .first()
        .waitFor({timeout: 30_000});
      assertClean(record);
    });

    it("serves the annotation and failure-mode APIs on the same origin", async () => {
      const {base} = started;
      const health = await fetch(`${base}/api/health`);
      assert.deepEqual(await health.json(), {ok: true, logProblems: []});
      const modes = await fetch(`${base}/api/failure-modes`);
      assert.equal(modes.status, 200);
      assert.ok(Array.isArray(((await modes.json()) as {modes: unknown}).modes));
    });
  });

  describe("without --demo", () => {
    let started: Started;
    before(async () => {
      started = await start("start-empty", []);
    });
    after(() => started?.stop());

    it("starts empty, says how to add traces, and serves working pages with no demo trace", async () => {
      const {base, output, workspace} = started;
      assert.doesNotMatch(output(), /demo workspace/);
      assert.match(output(), new RegExp(`npx plumbline ingest FILE --workspace ${workspace}`));
      // Every page draws, empty, with nothing failing: no loader that needs a trace, no chart of nothing. One tab
      // goes to each in turn (see recordedTab).
      const tab = await recordedTab(browser);
      const {page, record} = tab;
      for (const path of [
        "/traces",
        "/",
        "/clusters",
        "/annotate",
        "/agreement",
        "/calibration",
        "/suite",
        "/datasets",
        "/experiments",
        "/monitor"
      ]) {
        await tab.open(`${base}${path}`);
        await page.waitForLoadState("networkidle", {timeout: 60_000});
        await page.waitForTimeout(1000);
        if (path === "/traces") assert.equal(await page.locator(".pl-body .pl-row").count(), 0);
        assert.ok(
          ((await page.locator("main").innerText()).match(/\b(tau|who-and-when)-/g) ?? []).length === 0,
          `${path} shows demo traces`
        );
        assertClean(record, path);
      }
    });
  });
});
