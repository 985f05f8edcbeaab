// The calibration page in the built site, in Chromium with the network cut off and the strict policy on: it shows
// each evaluator's matrix, lists a cell's traces on click, and sets untrusted reasoning as text.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import type {BuiltSite} from "./buildSite.js";
import {openFixtureSite} from "../fixtures/fixtureSite.js";
import type {OpenSite} from "./openBuiltSite.js";
import {recordedPage} from "./chromium.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT} from "../fixtures/fixtureTraces.js";
import {serveStatic, type StaticServer} from "./staticServer.js";
import {assertClean} from "./assertClean.js";

describe("the calibration page", {timeout: 300_000}, () => {
  let built: OpenSite;
  let site: BuiltSite;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    built = await openFixtureSite();
    ({site, server, browser} = built);
  });

  after(() => built?.close());

  it("renders each evaluator's matrix offline, and a click on a cell lists its traces with reasoning beside explanation", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/calibration`);
    await page.locator(".pl-cal-overview").first().waitFor();
    await page.locator('.pl-cal-overview tr[data-evaluator="pandalm-gpt-3.5-turbo"]').click();
    await page.locator(".pl-cal-evaluator h2", {hasText: "pandalm-gpt-3.5-turbo"}).waitFor();
    const counts = await page.locator(".pl-cal-matrix .pl-cal-count").allInnerTexts();
    assert.deepEqual(counts, ["332", "71", "86", "360"]);
    assert.match(await page.locator('.pl-cal-metrics tr[data-metric="mcc"]').innerText(), /0\.630/);
    assert.match(await page.locator(".pl-cal-gate").innerText(), /can block a deployment/);
    await page.locator(".pl-cal-evaluator svg").first().waitFor();

    await page.locator('.pl-cal-cell[data-cell="fp"]').click();
    await page.getByText("86 false positives").waitFor();
    assert.equal(await page.locator(".pl-cal-trace").count(), 86);
    const first = await page.locator(".pl-cal-trace").first().innerText();
    assert.match(first, /pandalm-\d+/);
    assert.match(first, /Response 1 is better/, "the judge's reasoning");
    assert.match(first, /votes: annotator1/, "the annotators' explanation");

    const sets = await page.locator('.pl-cal-set tr[data-rater="gpt-3.5-turbo"]').innerText();
    assert.match(sets, /999\s+0\.7107\s+0\.5879\s+0\.5736\s+0\.5755/);
    const csv = await page.locator(".pl-cal-exports a", {hasText: "CSV"}).getAttribute("href");
    const response = await page.request.get(new URL(csv!, page.url()).href);
    assert.match(
      await response.text(),
      /^evaluator_id,evaluator_version,criterion,trace_id,judge_outcome,human_outcome,cell/
    );
    assertClean(record, "/calibration");
  });

  it("leads with the workspace's own evaluators, puts imported benchmark sets below, and shows no empty table", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/calibration`);
    await page.locator(".pl-cal-benchmarks .pl-cal-orders").waitFor();
    const sections = await page
      .locator(".pl-calibration > section")
      .evaluateAll((nodes) => nodes.map((n) => n.className));
    assert.deepEqual(sections, ["pl-cal-own", "pl-cal-benchmarks"]);
    const own = await page
      .locator(".pl-cal-own .pl-cal-overview tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-evaluator")));
    assert.ok(own.includes("hostile-judge"), own.join(", "));
    assert.ok(
      own.every((id) => !/^(pandalm|llmbar)-/.test(id!)),
      `no imported evaluator among the workspace's own: ${own.join(", ")}`
    );
    const imported = await page
      .locator(".pl-cal-benchmarks .pl-cal-overview tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-evaluator")));
    assert.ok(imported.includes("pandalm-gpt-3.5-turbo") && imported.includes("llmbar-natural-gpt-4"));
    // The first evaluator shown in detail is the workspace's own, above the benchmark section.
    assert.equal(await page.locator(".pl-cal-own + .pl-cal-detail, .pl-cal-own .pl-cal-detail").count(), 1);
    const tables = await page
      .locator(".pl-calibration table")
      .evaluateAll((nodes) => nodes.map((t) => [t.className, t.querySelectorAll("tbody tr").length] as const));
    assert.ok(tables.length > 4);
    for (const [name, rows] of tables) assert.ok(rows > 0, `an empty table is shown: ${name}`);
    const llmbar = page.locator(".pl-cal-sets h4", {hasText: "llmbar-natural"});
    await llmbar.waitFor();
    assert.match(
      await page.locator('.pl-cal-orders tr[data-rater="GPT-4/Vanilla"]').innerText(),
      /GPT-4\/Vanilla\s+100\s+0\.9500\s+0\.\d{4}/
    );
    assert.match(
      await page.locator('.pl-cal-set tr[data-rater="PaLM2/Vanilla"]').first().innerText(),
      /PaLM2\/Vanilla\s+100\s+0\.7800\s.*\s2$/,
      "a null verdict counts as wrong, and the count is shown"
    );
    // LLMBar has one gold rater and no annotator pairs: its annotator table is not drawn at all.
    assert.equal(await page.locator(".pl-cal-annotators").count(), 1, "only PandaLM's annotators table");
    assertClean(record, "/calibration");
  });

  it("shows each evaluator's MCC over time from its snapshots, the newest first in the table", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/calibration`);
    const history = page.locator('.pl-cal-history-evaluator[data-evaluator="pandalm-gpt-3.5-turbo"]');
    await history.locator("svg").first().waitFor();
    assert.match(await history.locator("h3").innerText(), /2 snapshots/);
    const rows = await history.locator(".pl-cal-snapshots tbody tr").allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(
      rows[0]!,
      /2026-11-20 09:00\s+gpt-3\.5-turbo\s+pandalm@000000000002\s+849 all\s+332\s+71\s+86\s+360\s+0\.630/
    );
    assert.match(rows[1]!, /2026-11-01 09:00.*pandalm@000000000001\s+540 all/);
    assert.equal(await history.locator("svg circle").count(), 2, "one dot per snapshot");
    assertClean(record, "/calibration");
  });

  it("sets judge reasoning and annotator explanations as text, never HTML", async () => {
    // Without a policy: the strict one would block an injected inline handler and hide the bug this looks for.
    const open = await serveStatic(site.distDir, {csp: null});
    try {
      const {page} = await recordedPage(browser);
      await page.goto(`${open.url}/calibration`);
      await page.locator('.pl-cal-overview tr[data-evaluator="hostile-judge"]').click();
      await page.locator('.pl-cal-cell[data-cell="tp"]').click();
      await page.locator(".pl-cal-trace").first().waitFor();
      const text = await page.locator(".pl-cal-traces").innerText();
      assert.ok(text.includes(HOSTILE_SCRIPT));
      assert.ok(text.includes(HOSTILE_IMAGE));
      assert.equal(await page.locator(".pl-cal-traces img, .pl-cal-traces script").count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
    } finally {
      await open.close();
    }
  });
});
