// Screenshots of Experiments and Pairwise review for the docs. The demo workspace has no experiments, so this one is
// made as a user makes it: the demo, then the README's step 7 (the two scripted τ-bench candidates run on the
// `airline-regressions` dataset), a pairwise judge asked about both answers to every case through an
// OpenAI-compatible server (the tests' fake one, over real HTTP), and two reviewers' choices. Only when screenshots
// are asked for: `SCREENSHOTS=1 node scripts/test.mjs loaders/browser/experimentsScreenshots`.
import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {after, before, describe, it} from "node:test";
import {blindOrder} from "../../src/core/pairwise/blind.js";
import {openPairwiseReview} from "../annotations/pairwiseLog.js";
import {ensureDemoWorkspace} from "../cli/demoCommand.js";
import {main} from "../cli/main.js";
import {TAU_FIXED, TAU_REGRESSED} from "../experiments/fixtures.js";
import {captureIo} from "../fixtures/captureIo.js";
import {chatCompletion, startFakeOpenAI, type FakeRequest} from "../judge/fakeOpenAI.js";
import {readExperimentPairs} from "../pairwise/experimentPairs.js";
import {NOW_ENV} from "../site/pagesClock.js";
import {withReadConnection} from "../store/db.js";
import {assertClean} from "./assertClean.js";
import {recordedPage} from "./chromium.js";
import {openBuiltSite, type OpenSite} from "./openBuiltSite.js";
import {screenshot, screenshotOptions, screenshotPage, screenshotWorkspace} from "./screenshots.js";

const EXPERIMENTS: [string, string] = ["tau-fixed", "tau-regressed"];
/** What the regressed candidate answers: the judge prefers the other answer. */
const GAVE_UP = "something went wrong";

/** The prompt's two answers, as the judge was shown them. */
function shown(request: FakeRequest): {input: string; a: string; b: string} {
  const user = (request.body.messages as {role: string; content: string}[]).find((m) => m.role === "user")!.content;
  const part = (tag: string) => new RegExp(`\\[${tag}\\]\\n([\\s\\S]*?)\\n\\[/${tag}\\]`).exec(user)![1]!;
  return {input: user.split("\n\n[A]\n")[0]!, a: part("A"), b: part("B")};
}

/** The demo workspace after the README's step 7, a pairwise judge's answers and twelve pairs chosen by two reviewers. */
async function makeWorkspace(workspace: string): Promise<void> {
  await ensureDemoWorkspace(workspace, true, () => {});
  const fake = await startFakeOpenAI();
  try {
    const cli = async (...args: string[]) => {
      const io = captureIo({
        PATH: process.env.PATH ?? "",
        OPENAI_BASE_URL: fake.baseURL,
        OPENAI_API_KEY: "fake-key"
      });
      assert.equal(
        await main([...args, "--workspace", workspace], io),
        0,
        `${args.join(" ")}:\n${io.stderr.join("\n")}`
      );
    };
    const node = JSON.stringify(process.execPath);
    for (const [name, task] of [
      ["tau-fixed", TAU_FIXED],
      ["tau-regressed", TAU_REGRESSED]
    ] as const)
      await cli(
        "experiment",
        "run",
        "--dataset",
        "airline-regressions",
        "--name",
        name,
        "--task",
        `${node} ${JSON.stringify(task)}`
      );

    // The judge prefers the answer that resolved the request, but on a third of the inputs picks whichever it is
    // shown first: position bias, which the page's two orders show.
    fake.respondWith("chat", (request) => {
      const {input, a, b} = shown(request);
      const preference = input.length % 3 === 0 || !a.includes(GAVE_UP) ? "A" : b.includes(GAVE_UP) ? "tie" : "B";
      return chatCompletion(JSON.stringify({reasoning: "compared both answers", preference}));
    });
    const spec = join(workspace, "prefers-resolution.json");
    writeFileSync(
      spec,
      JSON.stringify({
        kind: "pairwise_judge",
        id: "prefers-resolution",
        version: "1",
        criterion: "resolves the customer's request",
        judge: {model: "gpt-4o-mini", prompt: "{{input}}\n\n[A]\n{{output_a}}\n[/A]\n\n[B]\n{{output_b}}\n[/B]"}
      })
    );
    await cli("pairwise", "judge", "--spec", spec, "--experiment", "tau-regressed", "--baseline", "tau-fixed");
  } finally {
    await fake.close();
  }

  // Both reviewers prefer the fixed candidate's answer; bo calls the last two of the twelve a tie.
  const {pairs} = await withReadConnection(workspace, (c) => readExperimentPairs(c, ...EXPERIMENTS));
  const review = openPairwiseReview({workspace});
  try {
    for (const [i, pair] of pairs.slice(0, 12).entries())
      for (const reviewer of ["ana", "bo"]) {
        const order = blindOrder(reviewer, pair.pairId);
        const choice = reviewer === "bo" && i >= 10 ? "tie" : order === "1-first" ? "A" : "B";
        await review.choose({experiments: EXPERIMENTS, caseId: pair.caseId, reviewer, order, choice});
      }
  } finally {
    await review.close();
  }
}

describe(
  "the experiments pages of the demo after the README's step 7",
  {skip: screenshotOptions.dir ? false : "only when SCREENSHOTS=1", timeout: 900_000},
  () => {
    let built: OpenSite;
    let now: string | undefined;
    before(async () => {
      const env: Record<string, string> = {};
      built = await openBuiltSite(
        "experiments-shots",
        async (workspace) => {
          now = await screenshotWorkspace(workspace, makeWorkspace, "experiments", [dirname(TAU_FIXED)]);
          env[NOW_ENV] = now;
        },
        ["experiments.md", "pairwise.md"],
        env
      );
    });
    after(() => built?.close());

    it("compare the two candidates and show the pairwise review, and leave a screenshot of each", async () => {
      const {site, server, browser} = built;
      assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
      const shots = [
        {
          name: "experiments",
          path: "/experiments",
          ready: '.pl-exp-evaluators tr[data-evaluator="tool-error-not-recovered"]'
        },
        {name: "pairwise", path: "/pairwise?annotator=ana", ready: ".pl-pair-current"}
      ];
      for (const {path, ready} of shots) {
        const {page, record} = await recordedPage(browser);
        await page.goto(`${server.url}${path}`);
        await page.locator(ready).first().waitFor({timeout: 60_000});
        await page.waitForTimeout(500);
        assertClean(record, path);
        await page.context().close();
      }
      const page = await screenshotPage(browser, now);
      for (const {name, path, ready} of shots) {
        await page.goto(`${server.url}${path}`);
        await page.locator(ready).first().waitFor({timeout: 60_000});
        await page.waitForTimeout(300);
        await screenshot(page, name);
      }
      await page.context().close();
    });
  }
);
