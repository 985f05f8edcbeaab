// The monitor page in the built site, in Chromium with the network cut off and the strict policy on: the evaluator
// charts with the corrected band, the drift flags of the workspace's known steps, the per-model charts, which time
// placed the traces, and model names set as text.
import assert from "node:assert/strict";
import {cpSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {addCspMeta} from "../site/csp.js";
import {assertClean} from "./assertClean.js";
import {buildSite, copyProject, keepOnly, REPO_ROOT, type BuiltSite} from "./buildSite.js";
import {recordedPage} from "./chromium.js";
import {openSite, type OpenSite} from "./openBuiltSite.js";
import {serveStatic} from "./staticServer.js";
import {CALIBRATED_EVALUATOR, HOSTILE_MODEL, writeMonitorWorkspace} from "../fixtures/monitorWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("the monitor page", {timeout: 300_000}, () => {
  let built: OpenSite;
  let site: BuiltSite;

  // A build of its own: twenty days of traffic would change every count on the shared fixture site's other pages.
  // The repository's evaluator specs go with the copy, since the page corrects verdicts with their calibration.
  before(async () => {
    const workspace = tempDir("monitor-page");
    const project = copyProject();
    const cleanup = () => {
      rmSync(project, {recursive: true, force: true});
      rmSync(workspace, {recursive: true, force: true});
    };
    try {
      await writeMonitorWorkspace(workspace);
      cpSync(join(REPO_ROOT, "evaluators"), join(project, "evaluators"), {recursive: true});
      keepOnly(project, ["monitor.md"]);
      site = await buildSite(project, workspace);
      addCspMeta(site.distDir);
    } catch (error) {
      cleanup();
      throw error;
    }
    built = await openSite(workspace, site, cleanup);
  });

  after(() => built?.close());

  it("draws each evaluator's pass rate with the corrected band, flags the step, and charts every model, offline under the strict policy", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(built.browser);
    await page.goto(`${built.server.url}/monitor`);
    await page.locator(".pl-monitor-evaluators").waitFor();

    // The calibrated evaluator moved: it comes first, with its flags, its corrected line and band.
    const first = page.locator(".pl-monitor-evaluator").first();
    assert.equal(await first.getAttribute("data-evaluator"), CALIBRATED_EVALUATOR);
    assert.match(await first.innerText(), /\d drift flags?/);
    assert.match(await first.innerText(), /corrected for the evaluator's measured errors \(Rogan–Gladen\)/);
    assert.equal(await first.locator("svg [aria-label='area']").count(), 1, "no corrected band");
    assert.match(
      await page.locator('.pl-monitor-evaluator[data-evaluator="tone-check"]').innerText(),
      /not calibrated at this version/
    );

    const flags = await page.locator(".pl-monitor-flags tbody tr").allInnerTexts();
    assert.ok(
      flags.some((f) => /2026-11-15\s+evaluator failure rate\s+tool-error-not-recovered/.test(f)),
      flags.join("\n")
    );
    assert.ok(
      flags.some((f) => /2026-11-17\s+model cost per trace\s+gpt-4o-mini/.test(f)),
      flags.join("\n")
    );
    assert.match(await page.locator(".pl-monitor-tests").innerText(), /two-proportion z-test.*\|z\| ≥ 3/);

    // Six per-model charts, each drawn.
    assert.equal(await page.locator(".pl-monitor-grid .pl-monitor-chart svg").count(), 6);
    assert.match(
      await page.locator(".pl-monitor-time").innerText(),
      /1,201 of 1,206 traces are placed at their own start time; 5 that carry none at the time Plumbline received them \(ingested_at\)\. One point per day/
    );
    assertClean(record, "/monitor");
  });

  it("sets model names as text, never HTML", async () => {
    // Without a policy: the strict one would block an injected inline handler and hide the bug this looks for.
    const open = await serveStatic(site.distDir, {csp: null});
    try {
      const {page} = await recordedPage(built.browser);
      await page.goto(`${open.url}/monitor`);
      await page.locator(".pl-monitor-model-table").waitFor();
      assert.ok((await page.locator(".pl-monitor-model-table").innerText()).includes(HOSTILE_MODEL));
      assert.equal(await page.locator("main img, main script").count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
    } finally {
      await open.close();
    }
  });
});
