// The published report: `npm run build` on a workspace that has been round the loop (the demo: real traces,
// grader labels, clusters, a calibrated evaluator, a dataset and a gate run) gives a static site that shows every
// part of it from dist/ alone, in Chromium with every request off the machine failed and the strict policy on.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {openDemoSite} from "../fixtures/demoSite.js";
import {recordedTab, type RecordedTab} from "./chromium.js";
import type {OpenSite} from "./openBuiltSite.js";
import {assertClean} from "./assertClean.js";

/** What each page of the report must show of the demo's loop. */
const EXPECTED: Record<string, RegExp[]> = {
  "/": [/411/],
  "/traces": [/411 traces/],
  "/clusters": [/payment amount does not add up/, /tool error not recovered/],
  "/annotate": [/read-only/i],
  "/agreement": [/200 items, 1 annotator\./],
  "/calibration": [/tool-error-not-recovered/, /pandalm/i],
  // The demo's generated evaluator has 8 held-out failures: under the default trust policy it reports, and the
  // run passes.
  "/suite": [
    /Passed/,
    /reports \(weak evidence: only 8 human-labelled failures/,
    /tool error not recovered/,
    /coverage/i,
    /task not completed/
  ],
  "/datasets": [/airline-regressions/, /confirmed[ _]failure/i],
  // The demo ships no experiments: the page says how to run two.
  "/experiments": [/comparing needs two/],
  // The demo's τ-bench and Who&When runs carry no start time: they are placed at the time they were imported.
  "/monitor": [/24 of 411 traces are placed at their own start time; 387 that carry none/, /task not completed/]
};

describe("the published report", {timeout: 420_000}, () => {
  let built: OpenSite;
  // One tab for every page (see recordedTab), each checked on its own.
  let tab: RecordedTab;

  before(async () => {
    // The demo with the shipped generated evaluator's verdicts, for its matrix on the Calibration page.
    built = await openDemoSite();
    tab = await recordedTab(built.browser);
  });

  after(() => built?.close());

  it("lists every page of the navigation", () => {
    const config = readFileSync(join(PROJECT_ROOT, "observablehq.config.ts"), "utf8");
    const paths = [...config.matchAll(/path: "([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(paths.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [path, patterns] of Object.entries(EXPECTED)) {
    it(`${path} shows its part of the loop from dist/ alone`, async () => {
      const {page, record} = tab;
      await tab.open(`${built.server.url}${path}`);
      await page.locator("main").waitFor();
      for (const pattern of patterns) {
        await page
          .getByText(pattern)
          .first()
          .waitFor({timeout: 30_000})
          .catch(async () => {
            assert.fail(
              `${path} never showed ${pattern}; it shows:\n${(await page.locator("main").innerText()).slice(0, 2000)}`
            );
          });
      }
      assertClean(record, path);
    });
  }
});
