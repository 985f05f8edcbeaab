// The suite page in the built site, in Chromium with the network cut off and the strict policy on: the latest gate
// run with what blocked it, the corrected rates, coverage with the uncovered modes, every spec's recorded
// calibration, and the earlier runs; names from spec files are set as text.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import type {BuiltSite} from "./buildSite.js";
import {recordedPage} from "./chromium.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT} from "../fixtures/fixtureTraces.js";
import {HOSTILE_MODE, openFixtureSite} from "../fixtures/fixtureSite.js";
import type {OpenSite} from "./openBuiltSite.js";
import {serveStatic, type StaticServer} from "./staticServer.js";
import {assertClean} from "./assertClean.js";

describe("the suite page", {timeout: 300_000}, () => {
  let built: OpenSite;
  let site: BuiltSite;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    built = await openFixtureSite();
    ({site, server, browser} = built);
  });

  after(() => built?.close());

  it("shows the latest run, what blocked it, coverage and every spec's calibration, offline under the strict policy", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/suite`);
    await page.locator(".pl-suite-verdict").waitFor();
    const verdict = await page.locator(".pl-suite-verdict").innerText();
    assert.match(verdict, /Blocked · candidate 2/);
    assert.ok(verdict.includes(`Blocked by ${HOSTILE_MODE} (tool-failed)`), verdict);
    assert.match(verdict, /10 traces from dataset-file cases\.jsonl/);
    // The page words the policy and each status as the gate prints them.
    assert.match(verdict, /Trust policy interval: blocking needs MCC ≥ 0\.6, its 95 % interval's lower bound ≥ 0\.4/);

    const blocked = await page.locator('.pl-suite-evaluators tr[data-evaluator="tool-failed"]').innerText();
    assert.match(
      blocked,
      /blocks\s+MCC 0\.800 \[0\.\d\d, 0\.\d\d\] on held-out labels \(n 100: 50 fail, 50 pass\)\s+blocked\s+70\.0 %\s+90\.0 % \(spec\)\s+30\.0 %\s+\d+\.\d % \[\d+\.\d %, \d+\.\d %\]\s+10/
    );
    const stale = await page.locator('.pl-suite-evaluators tr[data-evaluator="stale-check"]').innerText();
    assert.match(stale, /skipped: uncalibrated\s+calibrated as 0\.9\.0\+0123456789ab/);

    const coverage = await page.locator(".pl-suite-coverage").innerText();
    assert.match(coverage, /Coverage: 1 of 3 active failure modes \(33 %\) have a trusted evaluator/);
    assert.match(coverage, /nobody checks this \(new\): no evaluator in the suite/);
    assert.match(coverage, /slow answers: stale-check: uncalibrated/);

    const spec = await page.locator('.pl-suite-spec[data-spec="tool-failed"]').innerText();
    assert.match(spec, /matches the current version/);
    assert.deepEqual(await page.locator('.pl-suite-spec[data-spec="tool-failed"] td[data-cell]').allInnerTexts(), [
      "45",
      "5",
      "5",
      "45"
    ]);
    assert.match(spec, /MCC 0\.800 \[\d\.\d{3}, \d\.\d{3}\] · n 100 · held-out labels/);
    assert.match(
      await page.locator('.pl-suite-spec[data-spec="stale-check"]').innerText(),
      /measured on 0\.9\.0\+0123456789ab, an older version: uncalibrated/
    );

    const runs = await page.locator(".pl-suite-runs tbody tr").allInnerTexts();
    assert.equal(runs.length, 2);
    assert.match(runs[0]!, /candidate 2\s+blocked/);
    assert.match(runs[1]!, /candidate 1\s+passed/);

    // Pass rate over the runs: a line per evaluator that ran, a dot and a threshold tick per run, and a legend.
    const trend = page.locator(".pl-suite-trend");
    assert.match(await trend.locator("h3").innerText(), /^Pass rate over gate runs$/);
    const titles = await trend.locator('svg g[aria-label="dot"] circle title').allTextContents();
    const toolFailed = titles.filter((t) => /\ntool-failed /.test(t));
    assert.deepEqual(
      toolFailed.map((t) => t.replace(/ · .*\n/, " · ").replace(/\+\w+/, "+…")),
      [
        "candidate 1 · tool-failed 1.0.0+…: 70.0 % passed, threshold 60.0 %",
        "candidate 2 · tool-failed 1.0.0+…: 70.0 % passed, threshold 90.0 %"
      ]
    );
    const evaluators = new Set(titles.map((t) => /\n(\S+) /.exec(t)![1]));
    assert.equal(await trend.locator('svg g[aria-label="line"] path').count(), evaluators.size);
    assert.equal(await trend.locator('svg g[aria-label="tick"] line').count(), titles.length);
    const text = (await trend.textContent()) ?? "";
    assert.match(text, /tool-failed/, "the legend names the evaluator");
    assert.match(text, /pass rate \(%\)/, "the axis says its unit");
    assertClean(record, "/suite");
  });

  it("sets failure-mode names as text, never HTML", async () => {
    // Without a policy: the strict one would block an injected inline handler and hide the bug this looks for.
    const open = await serveStatic(site.distDir, {csp: null});
    try {
      const {page} = await recordedPage(browser);
      await page.goto(`${open.url}/suite`);
      await page.locator(".pl-suite-verdict").waitFor();
      assert.ok((await page.locator(".pl-suite").innerText()).includes(HOSTILE_SCRIPT));
      assert.equal(await page.locator(".pl-suite img, .pl-suite script").count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
    } finally {
      await open.close();
    }
  });
});
