// The README's quickstart, as a new user meets it: `plumbline start` on an empty workspace builds the demo from
// the bundled real traces and serves the explorer, which must work in Chromium with the network cut off.
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {rmSync} from "node:fs";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {launchChromium, recordedPage} from "./chromium.js";
import {tempDir} from "../fixtures/tempDir.js";

/** The demo's traces: 200 τ-bench runs, 184 Who&When runs, and 27 from the format fixtures. */
const DEMO_TRACES = 411;

async function waitForServer(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`plumbline start exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`plumbline start did not answer at ${url} within 90 s:\n${output()}`);
}

describe("plumbline start on a new workspace", {timeout: 180_000}, () => {
  let workspace: string;
  let child: ChildProcess;
  let browser: Browser;
  let base: string;
  let output = "";

  before(async () => {
    workspace = tempDir("quickstart");
    const port = 40_000 + Math.floor(Math.random() * 10_000);
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ["bin/plumbline.js", "start", "--no-open", "--port", String(port)], {
      cwd: PROJECT_ROOT,
      env: {...process.env, PLUMBLINE_WORKSPACE: workspace, CI: "1", NO_COLOR: "1"},
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    });
    child.stdout!.on("data", (data: Buffer) => (output += data));
    child.stderr!.on("data", (data: Buffer) => (output += data));
    await waitForServer(`${base}/traces`, child, () => output);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    // The command and the preview server it starts form one process group.
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("builds the demo workspace and serves the trace explorer, offline", async () => {
    assert.match(output, /demo workspace ready: 411 traces/);
    const {page, record} = await recordedPage(browser);
    await page.goto(`${base}/traces#trace=tau-gpt-4o-airline-0-0`);
    await page.locator(".pl-body .pl-row").first().waitFor({timeout: 60_000});
    assert.match((await page.locator(".pl-count").textContent()) ?? "", new RegExp(`${DEMO_TRACES} traces`));
    await page
      .getByText("Hi! I'm looking to book a flight from New York to Seattle on May 20th.")
      .first()
      .waitFor({timeout: 30_000});
    assert.deepEqual(record.external, [], "requests left the machine");
    assert.deepEqual(record.failed, [], "requests failed");
    assert.deepEqual(record.consoleErrors, [], "console errors");
    assert.deepEqual(record.pageErrors, [], "uncaught errors");
  });

  it("serves the annotation and failure-mode APIs on the same origin", async () => {
    const health = await fetch(`${base}/api/health`);
    assert.deepEqual(await health.json(), {ok: true, logProblems: []});
    const modes = await fetch(`${base}/api/failure-modes`);
    assert.equal(modes.status, 200);
    assert.ok(Array.isArray(((await modes.json()) as {modes: unknown}).modes));
  });
});
