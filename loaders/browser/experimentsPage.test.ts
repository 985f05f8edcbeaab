// The experiments page in a built site of its own, in Chromium with the network cut off and the strict policy on:
// two experiments on the fixture workspace's dataset, one whose tool calls fail, compared case by case; outputs
// (hostile markup included) are set as text.
import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {command as experiment} from "../cli/experimentCommand.js";
import {captureIo} from "../fixtures/captureIo.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT} from "../fixtures/fixtureTraces.js";
import {copyFixtureSiteWorkspace} from "../fixtures/fixtureSite.js";
import {assertClean} from "./assertClean.js";
import {recordedPage} from "./chromium.js";
import {openBuiltSite, type OpenSite} from "./openBuiltSite.js";

/** A task that answers every case; `broken` makes its one tool call fail, `hostile` puts markup in its output. */
const TASK = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
const {case: c} = JSON.parse(input);
const broken = process.argv[2] === "broken";
process.stdout.write(JSON.stringify({
  output: broken ? ${JSON.stringify(`sorry ${HOSTILE_SCRIPT}${HOSTILE_IMAGE}`)} : "answered " + c.id,
  tool_calls: [{name: "lookup_order", arguments: {}, result: broken ? "Error: down" : "ok", success: !broken}],
  usage: {input_tokens: 10, output_tokens: 5, cost_usd: broken ? 0.001 : 0.002}
}));
`;

describe("the experiments page", {timeout: 600_000}, () => {
  let built: OpenSite;
  before(async () => {
    built = await openBuiltSite(
      "experiments-page",
      async (workspace) => {
        await copyFixtureSiteWorkspace(workspace);
        const task = join(workspace, "task.mjs");
        writeFileSync(task, TASK);
        for (const [name, mode] of [
          ["good", "ok"],
          ["broken", "broken"]
        ] as const) {
          const io = captureIo({PATH: process.env.PATH ?? ""});
          const args = [
            "run",
            "--dataset",
            "airline",
            "--name",
            name,
            "--task",
            `${JSON.stringify(process.execPath)} ${JSON.stringify(task)} ${mode}`
          ];
          assert.equal(await experiment.run([...args, "--workspace", workspace], io), 0, io.stderr.join("\n"));
        }
      },
      ["experiments.md"]
    );
  });
  after(() => built?.close());

  it("compares the latest experiment with the one before, names the regressed cases and shows outputs as text", async () => {
    const {site, server, browser} = built;
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/experiments`);
    const row = page.locator('.pl-exp-evaluators tr[data-evaluator="tool-call-failed"]');
    // A page that fails to render says why in its console: show that rather than a bare timeout.
    await row.waitFor({timeout: 20_000}).catch((error: unknown) => {
      assertClean(record, "/experiments");
      throw error;
    });
    const cells = await row.locator("td").allInnerTexts();
    const cases = await page.locator(".pl-exp-case").count();
    assert.ok(cases >= 2, `${cases} cases`);
    assert.deepEqual(cells.slice(0, 6), [
      "tool-call-failed",
      `${cases}/${cases} (100 %)`,
      `0/${cases} (0 %)`,
      "−100.0 pp",
      String(cases),
      "0"
    ]);
    assert.equal(await page.locator('.pl-exp-case[data-moved="regressed"]').count(), cases);
    const first = page.locator(".pl-exp-case").first();
    await first.locator("summary").click();
    const texts = await first.locator(".pl-exp-side .pl-exp-text").allInnerTexts();
    assert.match(texts[0]!, /^answered /);
    assert.equal(texts[1], `sorry ${HOSTILE_SCRIPT}${HOSTILE_IMAGE}`);
    assert.equal(await page.locator(".pl-exp-case img").count(), 0, "markup in an output stayed text");
    assert.match(await page.locator('.pl-exp-spend tr[data-side="b"]').innerText(), /\$0\.00/);
    assert.equal((await page.locator("svg").count()) > 0, true, "the pass-rate chart is drawn");
    // Swapping the two sides turns every regression into an improvement.
    await page.getByLabel("Baseline (A)").selectOption("broken");
    await page.getByLabel("Candidate (B)").selectOption("good");
    await page.locator('.pl-exp-case[data-moved="improved"]').first().waitFor();
    assert.equal(await page.locator('.pl-exp-case[data-moved="improved"]').count(), cases);
    assertClean(record, "/experiments");
    assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
  });
});
