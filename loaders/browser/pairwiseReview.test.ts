// The Pairwise review page in Chromium with the network cut off and the strict policy on, against the real server
// (API + Framework preview): two experiments on the fixture workspace's dataset, choices picked by keyboard, a
// reload that finds them kept, a second reviewer at once, and their agreement.
import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {blindOrder} from "../../src/core/pairwise/blind.js";
import type {PairwiseChoice} from "../../src/core/pairwise/review.js";
import {readPairwiseChoices} from "../annotations/pairwiseLog.js";
import {command as experiment} from "../cli/experimentCommand.js";
import {captureIo} from "../fixtures/captureIo.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT} from "../fixtures/fixtureTraces.js";
import {copyFixtureSiteWorkspace} from "../fixtures/fixtureSite.js";
import {tempDir} from "../fixtures/tempDir.js";
import {startServer, type RunningServer} from "../server/serve.js";
import {launchChromium, recordedPage, type PageRecord} from "./chromium.js";

/** A task that answers every case; `hostile` puts markup in its output. */
const TASK = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
const {case: c} = JSON.parse(input);
const hostile = process.argv[2] === "hostile";
process.stdout.write(JSON.stringify({output: hostile ? ${JSON.stringify(`sorry ${HOSTILE_SCRIPT}${HOSTILE_IMAGE}`)} : "answered " + c.id}));
`;

function assertClean(record: PageRecord): void {
  assert.deepEqual(record.external, [], "requests left the machine");
  // A reload cancels what the page still had in flight (the live-reload socket); Chromium reports it as ERR_ABORTED.
  assert.deepEqual(
    record.failed.filter((f) => f.error !== "net::ERR_ABORTED"),
    [],
    "requests failed"
  );
  assert.deepEqual(record.consoleErrors, [], "console errors");
  assert.deepEqual(record.pageErrors, [], "uncaught errors");
  assert.deepEqual(record.cspViolations, [], "Content-Security-Policy violations");
}

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator(".pl-pair-current").waitFor({timeout: 60_000});
}

/** Presses the keys and waits until the page says the choice was saved. */
async function saveWith(page: Page, ...keys: string[]): Promise<void> {
  const saved = page.locator(".pl-status-line", {hasText: /^Saved/});
  for (const key of keys) await page.keyboard.press(key);
  await saved.waitFor({timeout: 10_000});
}

describe("the pairwise review page", {timeout: 300_000}, () => {
  let workspace: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    workspace = tempDir("pairwise-page");
    await copyFixtureSiteWorkspace(workspace);
    const task = join(workspace, "task.mjs");
    writeFileSync(task, TASK);
    for (const [name, mode] of [
      ["plain", "ok"],
      ["hostile", "hostile"]
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
    server = await startServer({workspace, host: "127.0.0.1", port: 0});
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("picks with keys, blind to which experiment is which, keeps the choices over a reload, and measures two reviewers' agreement", async () => {
    const {page, record} = await recordedPage(browser);
    await open(page, `${server.url}/pairwise.html?annotator=ana`);
    const ids = await page
      .locator(".pl-pair-item")
      .evaluateAll((items) => items.map((i) => i.getAttribute("data-pair")!));
    assert.ok(ids.length >= 2, `${ids.length} pairs`);
    // Blind: the sides are labelled A and B only, and hostile markup in an output stays text.
    const sides = await page.locator(".pl-pair-sides").innerText();
    assert.doesNotMatch(sides, /\bplain\b|\bhostile\b/);
    assert.equal(await page.locator(".pl-pair-sides img").count(), 0);

    await saveWith(page, "a", "Enter");
    await page.keyboard.press("j");
    await page.locator(`.pl-pair-current[data-pair="${ids[1]}"]`).waitFor();
    await page.keyboard.press("b");
    await page.keyboard.press("e");
    await page.keyboard.type("the other one answers the question");
    await saveWith(page, "Enter");

    await page.reload();
    await page.locator(".pl-pair-current").waitFor({timeout: 60_000});
    assert.equal(await page.locator(`.pl-pair-item[data-pair="${ids[0]}"]`).getAttribute("data-chosen"), "A");
    assert.equal(await page.locator(`.pl-pair-item[data-pair="${ids[1]}"]`).getAttribute("data-chosen"), "B");
    await page.keyboard.press("j");
    assert.equal(await page.locator(".pl-pair-explanation").inputValue(), "the other one answers the question");

    // What the log holds: the shown order is ana's blind one, and the revealed choice names the experiment she saw as A.
    const logged = readPairwiseChoices(workspace).choices;
    assert.equal(logged.length, 2);
    for (const [index, shown] of [
      [0, "A"],
      [1, "B"]
    ] as const) {
      const c = logged.find((x) => x.pairId === ids[index])!;
      assert.equal(c.order, blindOrder("ana", c.pairId));
      assert.equal(c.shown, shown);
      const sawFirst = c.order === "1-first" ? c.experiments[0] : c.experiments[1];
      const sawSecond = c.experiments.find((e) => e !== sawFirst)!;
      assert.equal(c.preferred, shown === "A" ? sawFirst : sawSecond);
    }

    // A second reviewer at the same time, in another page: a tie on the first pair, and the same experiment as ana on
    // the second.
    const other = await recordedPage(browser);
    await open(other.page, `${server.url}/pairwise.html?annotator=bo`);
    await saveWith(other.page, "t", "Enter");
    await other.page.keyboard.press("j");
    const anaSecond = logged.find((x) => x.pairId === ids[1])!;
    const boOrder = blindOrder("bo", ids[1]!);
    const boShown =
      (boOrder === "1-first" ? anaSecond.experiments[0] : anaSecond.experiments[1]) === anaSecond.preferred ? "a" : "b";
    await saveWith(other.page, boShown, "Enter");
    const row = other.page.locator('.pl-pair-humans tr[data-reviewers="ana|bo"] td');
    await row.first().waitFor({timeout: 10_000});
    assert.deepEqual((await row.allInnerTexts()).slice(0, 3), ["ana and bo", "2", "50 %"]);
    const all = (await (await fetch(`${server.url}/api/pairwise`)).json()) as {choices: PairwiseChoice[]};
    assert.equal(all.choices.length, 4);
    assertClean(record);
    assertClean(other.record);
    assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
  });
});
