// The Pairwise review page on the published static site, in Chromium with the network cut off and the strict policy
// on: the choices and the judge's answers the build read are shown, read-only, and no key saves anything.
import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {blindOrder} from "../../src/core/pairwise/blind.js";
import {openPairwiseReview} from "../annotations/pairwiseLog.js";
import {command as experiment} from "../cli/experimentCommand.js";
import {captureIo} from "../fixtures/captureIo.js";
import {copyFixtureSiteWorkspace} from "../fixtures/fixtureSite.js";
import {readExperimentPairs} from "../pairwise/experimentPairs.js";
import {withConnection} from "../store/db.js";
import {writePairwiseVerdicts} from "../store/pairwiseVerdicts.js";
import {assertClean} from "./assertClean.js";
import {recordedPage} from "./chromium.js";
import {openBuiltSite, type OpenSite} from "./openBuiltSite.js";

const TASK = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
const {case: c} = JSON.parse(input);
process.stdout.write(JSON.stringify({output: process.argv[2] + " answered " + c.id}));
`;

describe("the pairwise review page on the published site", {timeout: 600_000}, () => {
  let built: OpenSite;
  let pairIds: string[] = [];
  before(async () => {
    built = await openBuiltSite(
      "pairwise-static",
      async (workspace) => {
        await copyFixtureSiteWorkspace(workspace);
        const task = join(workspace, "task.mjs");
        writeFileSync(task, TASK);
        for (const name of ["first", "second"]) {
          const io = captureIo({PATH: process.env.PATH ?? ""});
          const args = [
            "run",
            "--dataset",
            "airline",
            "--name",
            name,
            "--task",
            `${JSON.stringify(process.execPath)} ${JSON.stringify(task)} ${name}`
          ];
          assert.equal(await experiment.run([...args, "--workspace", workspace], io), 0, io.stderr.join("\n"));
        }
        const {pairs, experiments} = await withConnection(workspace, async (connection) => {
          const found = await readExperimentPairs(connection, "first", "second");
          // A judge that prefers output 1 in both orders, on every pair.
          await writePairwiseVerdicts(
            connection,
            found.pairs.flatMap((p) =>
              (["1-first", "2-first"] as const).map((order) => ({
                runId: "r",
                judgeId: "judge-one",
                judgeVersion: "1",
                judgeModel: "m",
                experiments: found.experiments,
                caseId: p.caseId,
                pairId: p.pairId,
                order,
                answer: order === "1-first" ? ("A" as const) : ("B" as const),
                preference: "1" as const,
                reasoning: "first is better",
                error: null,
                cached: false,
                inputTokens: null,
                outputTokens: null,
                cacheKey: `${p.pairId}-${order}`
              }))
            )
          );
          return found;
        });
        pairIds = pairs.map((p) => p.pairId);
        const review = openPairwiseReview({workspace});
        for (const p of pairs)
          for (const reviewer of ["ana", "bo"])
            await review.choose({
              experiments,
              caseId: p.caseId,
              reviewer,
              order: blindOrder(reviewer, p.pairId),
              // Both prefer output 1: as shown, that is A when output 1 came first.
              choice: blindOrder(reviewer, p.pairId) === "1-first" ? "A" : "B"
            });
        await review.close();
      },
      ["pairwise.md"]
    );
  });
  after(() => built?.close());

  it("shows the reviewers' choices and agreement, and the judge's, read-only", async () => {
    const {site, server, browser} = built;
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    assert.ok(pairIds.length >= 2, `${pairIds.length} pairs`);
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/pairwise.html?annotator=ana`);
    await page
      .locator(".pl-pair-current")
      .waitFor({timeout: 20_000})
      .catch((error: unknown) => {
        assertClean(record, "/pairwise");
        throw error;
      });
    await page.locator(".pl-status-line", {hasText: /read-only/i}).waitFor();
    const first = page.locator(`.pl-pair-item[data-pair="${pairIds[0]}"]`);
    assert.equal(await first.getAttribute("data-chosen"), blindOrder("ana", pairIds[0]!) === "1-first" ? "A" : "B");
    assert.equal(await page.locator(".pl-pair-save").isDisabled(), true);
    await page.keyboard.press("t");
    await page.keyboard.press("Enter");
    assert.doesNotMatch(await page.locator(".pl-status-line").innerText(), /Saved/);
    const humans = await page.locator('.pl-pair-humans tr[data-reviewers="ana|bo"] td').allInnerTexts();
    assert.deepEqual(humans.slice(0, 3), ["ana and bo", String(pairIds.length), "100 %"]);
    const judge = await page.locator('.pl-pair-judges tr[data-judge="judge-one"] td').allInnerTexts();
    assert.deepEqual(judge.slice(0, 3), ["judge-one", String(pairIds.length), `100 % of ${pairIds.length}`]);
    assertClean(record, "/pairwise");
  });
});
