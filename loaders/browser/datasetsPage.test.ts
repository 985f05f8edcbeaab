// The datasets page in the built site, in Chromium with the network cut off and the strict policy on: it lists
// each dataset's versions and cases, switches version on click, lists the reviews that led nowhere, and sets
// case text as text.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import type {BuiltSite} from "./buildSite.js";
import {recordedPage} from "./chromium.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT} from "../fixtures/fixtureTraces.js";
import {openFixtureSite} from "../fixtures/fixtureSite.js";
import type {OpenSite} from "./openBuiltSite.js";
import {serveStatic, type StaticServer} from "./staticServer.js";
import {assertClean} from "./assertClean.js";

describe("the datasets page", {timeout: 300_000}, () => {
  let built: OpenSite;
  let site: BuiltSite;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    built = await openFixtureSite();
    ({site, server, browser} = built);
  });

  after(() => built?.close());

  it("shows versions and cases offline, switches version on click, and lists the review that led nowhere", async () => {
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/datasets`);
    const dataset = page.locator('.pl-ds-dataset[data-dataset="airline"]');
    await dataset.waitFor();
    assert.equal(await dataset.locator("tr.pl-ds-version").count(), 2);
    assert.match(
      await dataset.locator('tr.pl-ds-version[data-version="2"]').innerText(),
      /bo\s+remove\s+2\s+\+0 −1\s+flaky upstream/
    );
    // The latest version is shown first.
    await dataset.getByText("airline@2: 2 cases").waitFor();
    assert.deepEqual(
      await dataset.locator(".pl-ds-case").evaluateAll((els) => els.map((e) => e.getAttribute("data-case"))),
      ["trace-refund", "trace-hostile"]
    );
    await dataset.locator('tr.pl-ds-version[data-version="1"]').click();
    await dataset.getByText("airline@1: 3 cases").waitFor();
    assert.deepEqual(
      await dataset.locator(".pl-ds-case").evaluateAll((els) => els.map((e) => e.getAttribute("data-kind"))),
      ["confirmed_failure", "new_topic", "edge_case"]
    );
    const refund = dataset.locator('.pl-ds-case[data-case="trace-refund"]');
    // A compact table: each case one line, its details opened on a click.
    assert.match(await refund.locator(".pl-ds-case-line").innerText(), /confirmed failure\s+trace-refund/);
    assert.equal(await refund.locator(".pl-ds-case-detail").isVisible(), false);
    await refund.locator(".pl-ds-case-line").click();
    await refund.locator(".pl-ds-case-detail").waitFor();
    assert.equal(await refund.locator(".pl-ds-input .pl-ds-text").innerText(), "Where is my refund for order 991?");
    assert.equal(
      await refund.locator(".pl-ds-expected-output .pl-ds-text").innerText(),
      "Let me look up order 919 for you."
    );
    assert.match(
      await refund.locator(".pl-ds-why").innerText(),
      /Added by ana on 2026-11-20 10:00: first triage; ground truth fails overall \(wrong_tool_arguments\)/
    );
    await refund.locator(".pl-ds-context summary").click();
    await refund.locator(".pl-ds-tool").first().waitFor();
    assert.match(
      await refund.locator(".pl-ds-context").innerText(),
      /lookup_order · failed\s+\{"order_id": 991\} → —/i
    );

    const reviews = page.locator(".pl-ds-reviews");
    assert.match(
      await reviews.locator(".pl-ds-review-summary").innerText(),
      /4 completed reviews; 1 led nowhere\. With an outcome: 0 evaluator updated, 0 new evaluator, 3 dataset case, 0 product fix\./
    );
    assert.deepEqual(
      await reviews
        .locator(".pl-ds-nowhere tbody tr")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-trace"))),
      ["trace-weather"]
    );
    assert.match(
      await reviews.locator(".pl-ds-nowhere tbody tr").innerText(),
      /Triage\s+trace-weather\s+overall\s+ana, bo\s+no outcome recorded/
    );
    assertClean(record, "/datasets");
  });

  it("sets case text, reasons and conversations as text, never HTML", async () => {
    // Without a policy: the strict one would block an injected inline handler and hide the bug this looks for.
    const open = await serveStatic(site.distDir, {csp: null});
    try {
      const {page} = await recordedPage(browser);
      await page.goto(`${open.url}/datasets`);
      const hostile = page.locator('.pl-ds-case[data-case="trace-hostile"]');
      await hostile.waitFor();
      await hostile.locator(".pl-ds-case-line").click();
      await hostile.locator(".pl-ds-context summary").click();
      await hostile.locator(".pl-ds-message").first().waitFor();
      const text = await hostile.innerText();
      assert.ok(text.includes(HOSTILE_SCRIPT), "the input and the annotator's explanation");
      assert.ok(text.includes(HOSTILE_IMAGE), "the assistant's answer");
      assert.equal(await page.locator(".pl-datasets img, .pl-datasets script").count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
    } finally {
      await open.close();
    }
  });
});
