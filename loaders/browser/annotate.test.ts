// The annotation page in Chromium with the network cut off, against the real server (API + Framework preview):
// five traces labelled by keyboard, one label scoped to a text range, a reload that finds them all, and two
// annotators writing at once without losing anything.
import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser, Page} from "playwright-core";
import {traceInfo, type Message} from "../../src/core/schemas/trace.js";
import {startServer, type RunningServer} from "../server/serve.js";
import {withConnection} from "../store/db.js";
import {agreementByCriterion} from "../../src/core/agreement/perCriterion.js";
import {buildSite, copyProject, keepOnly} from "./buildSite.js";
import {addCspMeta} from "../site/csp.js";
import {serveStatic} from "./staticServer.js";
import {buildQueue} from "../annotations/queues.js";
import {queueProgress} from "../../src/core/queue/progress.js";
import {launchChromium, recordedPage, type PageRecord} from "./chromium.js";
import {HOSTILE_IMAGE, HOSTILE_SCRIPT, HOSTILE_TRACE_ID, fixtureTraces, message} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace, type FixtureTrace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";

function chat(id: string, n: number): FixtureTrace {
  const say = (index: number, role: Message["role"], content: string) => message(id, index, {role, content});
  return {
    format: "chat-jsonl",
    info: traceInfo(id, {
      name: `booking ${n}`,
      startTime: Date.UTC(2026, 0, 6, 10, n),
      endTime: Date.UTC(2026, 0, 6, 10, n, 30),
      status: "ok"
    }),
    spans: [],
    toolCalls: [],
    feedback: [],
    messages: [
      say(0, "user", `Please change my flight number ${n}.`),
      say(1, "assistant", `I changed flight ${n} to Tuesday without asking.`)
    ]
  };
}

async function waitForTrace(page: Page, traceId: string): Promise<void> {
  await page.locator(`.pl-queue-current[data-trace="${traceId}"]`).waitFor({timeout: 30_000});
  await page.locator(".pl-annotate-trace .pl-tabs").waitFor({timeout: 30_000});
}

async function currentTrace(page: Page): Promise<string> {
  const id = await page.locator(".pl-queue-current").getAttribute("data-trace");
  assert.ok(id);
  return id;
}

/** Presses a verdict key and waits until the page says the label was saved. */
async function verdict(page: Page, key: "p" | "f"): Promise<void> {
  await page.keyboard.press(key);
  await page.locator(".pl-status-line", {hasText: /Saved|Updated/}).waitFor({timeout: 10_000});
}

function assertClean(record: PageRecord): void {
  assert.deepEqual(record.external, [], "requests left the machine");
  // A reload cancels whatever the page still had in flight (the detail index it warms, the live-reload socket);
  // Chromium reports those as ERR_ABORTED. Any other failure is a defect.
  assert.deepEqual(
    record.failed.filter((f) => f.error !== "net::ERR_ABORTED"),
    [],
    "requests failed"
  );
  assert.deepEqual(record.consoleErrors, [], "console errors");
  assert.deepEqual(record.pageErrors, [], "uncaught errors");
}

describe("the annotation page", {timeout: 240_000}, () => {
  let workspace: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    workspace = tempDir("annotate");
    await writeFixtureWorkspace(workspace, [
      ...fixtureTraces(),
      ...Array.from({length: 6}, (_, n) => chat(`trace-chat-${n}`, n))
    ]);
    // One automation rule, so the page's read-only list of them has something to show.
    writeFileSync(
      join(workspace, "automation.json"),
      JSON.stringify({
        rules: [{id: "thumbs-down", when: {on: "thumbs_down", name: "thumbs"}, queue: "complaints", share: 0.5}]
      })
    );
    server = await startServer({workspace, host: "127.0.0.1", port: 0});
    await server.service.flush();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("labels five traces by keyboard, one of them on a selected text range, and finds them all after a reload", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/annotate?annotator=ana`);
    const expected = new Map<string, boolean>();
    for (let n = 0; n < 5; ++n) {
      await page.locator(".pl-queue-current").waitFor({timeout: 60_000});
      const id = await currentTrace(page);
      await waitForTrace(page, id);
      const pass = n % 2 === 1;
      if (n === 0) {
        // A failure mode the rubric lacks, typed from the keyboard: m focuses the field, Escape leaves it.
        await page.keyboard.press("m");
        await page.keyboard.type("invented_refund_rule");
        await page.keyboard.press("Escape");
        await page.locator(".pl-status-line", {hasText: "Kept for the next verdict"}).waitFor();
      }
      await verdict(page, pass ? "p" : "f");
      expected.set(id, pass);
      await page.keyboard.press("j");
      await page.locator(`.pl-queue-current:not([data-trace="${id}"])`).waitFor();
    }
    // Back to a chat trace, select words inside the assistant's message, and fail just that range.
    await page.locator('.pl-queue-item[data-trace="trace-chat-2"]').click();
    await waitForTrace(page, "trace-chat-2");
    const quote = await page.evaluate(() => {
      const content = document.querySelector('.pl-annotate-trace .pl-msg[data-message="1"] .pl-content')!;
      const text = content.firstChild!;
      const range = document.createRange();
      range.setStart(text, 19);
      range.setEnd(text, 44);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
      return range.toString();
    });
    assert.equal(quote, "to Tuesday without asking");
    await verdict(page, "f");

    // Undo removes the last label; doing it again restores the state the test expects.
    const before = server.service.list().length;
    await page.keyboard.press("u");
    await page.locator(".pl-status-line", {hasText: "Undone"}).waitFor();
    assert.equal(server.service.list().length, before - 1);
    await page.evaluate(() => {
      const text = document.querySelector('.pl-annotate-trace .pl-msg[data-message="1"] .pl-content')!.firstChild!;
      const range = document.createRange();
      range.setStart(text, 19);
      range.setEnd(text, 44);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    await verdict(page, "f");

    await page.reload();
    await page.locator(".pl-queue-current").waitFor({timeout: 60_000});
    const done = await page
      .locator(".pl-queue-done")
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-trace")));
    assert.deepEqual(new Set(done), new Set([...expected.keys(), "trace-chat-2"]));
    for (const [id, pass] of expected) {
      await page.locator(`.pl-queue-item[data-trace="${id}"]`).click();
      await waitForTrace(page, id);
      const verdictShown = await page.locator('.pl-criterion[data-criterion="overall"] .pl-badge').textContent();
      assert.equal(verdictShown, pass ? "pass" : "fail", `trace ${id}`);
    }
    await page.locator('.pl-queue-item[data-trace="trace-chat-2"]').click();
    await waitForTrace(page, "trace-chat-2");
    await page.locator(".pl-label-item", {hasText: "“to Tuesday without asking” (message 2)"}).waitFor();
    // The labelled words are marked in the message itself, as text.
    const marked = page.locator('.pl-annotate-trace .pl-msg[data-message="1"] mark.pl-range-fail');
    await marked.waitFor();
    assert.deepEqual(await marked.allInnerTexts(), ["to Tuesday without asking"]);

    // The new failure mode is on its label and offered to everyone as new.
    assert.equal(server.service.list().filter((a) => a.failureMode === "invented_refund_rule").length, 1);
    assert.equal(await page.locator('#pl-failure-modes option[value="invented_refund_rule"]').textContent(), "new");
    assert.ok(server.service.failureModes().some((m) => m.name === "invented_refund_rule" && m.isNew));
    const ranged = server.service.list().find((a) => a.scope.kind === "text")!;
    assert.deepEqual(ranged.scope, {kind: "text", messageIndex: 1, spanId: null, start: 19, end: 44, quote});
    assert.equal(ranged.pass, false);
    assert.equal(server.service.list({annotator: "ana"}).length, 6);
    assertClean(record);
  });

  it("keeps every keystroke typed into the explanation while the failure mode just left is being saved", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/annotate?annotator=fay#trace=trace-chat-5`);
    await waitForTrace(page, "trace-chat-5");
    await verdict(page, "f");
    await page.keyboard.press("m");
    await page.keyboard.type("shipping_delay");
    // Straight on into the explanation, at a person's pace: the failure mode's save finishes mid-word and the form
    // is drawn again while the keys arrive.
    await page.keyboard.press("Tab");
    const explanation = "delayed the shipping delay";
    await page.keyboard.type(explanation, {delay: 25});
    await page.keyboard.press("Tab");
    const saved = async () => server.service.list({annotator: "fay"}).find((a) => a.traceId === "trace-chat-5");
    for (let i = 0; i < 100 && (await saved())?.explanation !== explanation; ++i)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const label = await saved();
    assert.equal(label?.failureMode, "shipping_delay");
    assert.equal(label?.explanation, explanation);
    assert.equal(await page.locator(".pl-explanation").inputValue(), explanation);
    assert.equal(label?.pass, false, "no letter of the text reached the page's shortcuts");
    assertClean(record);
  });

  it("lists the workspace's automation rules as text: trigger, queue, share and traces enqueued", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/annotate?annotator=ana`);
    const rule = page.locator('.pl-automation-rules li[data-rule="thumbs-down"]');
    await rule.waitFor({timeout: 60_000});
    assert.equal(
      await rule.textContent(),
      "thumbs-down: thumbs-down feedback (thumbs) → queue complaints (50 % of them); 0 traces enqueued"
    );
    assertClean(record);
    await page.close();
  });

  it("labels one span when a span is open in the span tree, and marks it", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/annotate?annotator=fay#trace=trace-refund`);
    await waitForTrace(page, "trace-refund");
    await page
      .locator(".pl-annotate-trace")
      .getByRole("button", {name: /^Spans/})
      .click();
    const row = page.locator(".pl-annotate-trace .pl-span.pl-span-error").first();
    const spanId = await row.getAttribute("data-span-id");
    assert.ok(spanId);
    await row.click();
    await verdict(page, "f");
    const labels = server.service.list({annotator: "fay"}).filter((a) => a.traceId === "trace-refund");
    assert.deepEqual(
      labels.map((a) => [a.scope, a.pass]),
      [[{kind: "span", spanId}, false]]
    );
    await page.locator(`.pl-annotate-trace .pl-span-labelled-fail[data-span-id="${spanId}"]`).waitFor();
    await page.locator(".pl-label-item", {hasText: `span ${spanId}`}).waitFor();
    // Back on the conversation, no span is open there: the next verdict is on the whole trace.
    await page
      .locator(".pl-annotate-trace")
      .getByRole("button", {name: /^Conversation/})
      .click();
    await verdict(page, "p");
    const after = server.service.list({annotator: "fay"}).filter((a) => a.traceId === "trace-refund");
    assert.deepEqual(after.map((a) => a.scope.kind).sort(), ["span", "trace"]);
    assertClean(record);
  });

  it("two annotators labelling at the same time lose nothing", async () => {
    const [a, b] = await Promise.all([recordedPage(browser), recordedPage(browser)]);
    const run = async (page: Page, annotator: string) => {
      await page.goto(`${server.url}/annotate?annotator=${annotator}#trace=trace-chat-0`);
      const seen: string[] = [];
      for (let n = 0; n < 4; ++n) {
        await page.locator(".pl-queue-current").waitFor({timeout: 60_000});
        const id = await currentTrace(page);
        await waitForTrace(page, id);
        await verdict(page, "f");
        seen.push(id);
        await page.keyboard.press("j");
        await page.locator(`.pl-queue-current:not([data-trace="${id}"])`).waitFor();
      }
      return seen;
    };
    const [seenA, seenB] = await Promise.all([run(a.page, "bo"), run(b.page, "cy")]);
    for (const [annotator, seen] of [
      ["bo", seenA],
      ["cy", seenB]
    ] as const) {
      assert.deepEqual(
        server.service
          .list({annotator})
          .map((x) => x.traceId)
          .sort(),
        [...seen].sort()
      );
    }
    await server.service.flush();
    assertClean(a.record);
    assertClean(b.record);
  });

  it("works through a prioritized queue: why each trace is there, and the annotator's progress", async () => {
    const {queue} = await server.service.withStore((c) =>
      buildQueue(
        workspace,
        c,
        {id: "triage", name: "Triage", annotators: ["dee", "eve"], annotatorsPerTrace: 2, size: 4, randomShare: 0.25},
        Date.now()
      )
    );
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/annotate?annotator=dee&queue=triage`);
    const first = queue.items[0]!;
    await waitForTrace(page, first.traceId);
    assert.equal(await page.locator(".pl-queue-item").count(), queue.items.length);
    const why = await page.locator(".pl-why li").allTextContents();
    assert.ok(
      first.contributions.every((c) => why.some((line) => line.startsWith(c.reason))),
      `${why.join(" | ")}`
    );
    // Earlier tests' labels count too: a trace two others already labelled needs no one else.
    const expected = (annotator: string) => {
      const p = queueProgress(queue, server.service.list()).annotators.find((a) => a.annotator === annotator)!;
      return `${annotator}: ${p.done} done, ${p.remaining} to go`;
    };
    const before = expected("dee");
    assert.match(before, /dee: 0 done/);
    await page.locator(".pl-progress", {hasText: before}).waitFor();
    await verdict(page, "f");
    const after = expected("dee");
    assert.match(after, /dee: 1 done/);
    await page.locator(".pl-progress", {hasText: after}).waitFor();
    assertClean(record);
  });

  it("shows agreement per criterion, and the owner's decision on a disagreement becomes ground truth", async () => {
    await server.service.create({
      traceId: "trace-weather",
      criterion: "overall",
      annotator: "bo",
      pass: true,
      source: "reviewer"
    });
    await server.service.create({
      traceId: "trace-weather",
      criterion: "overall",
      annotator: "cy",
      pass: false,
      source: "reviewer"
    });
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/agreement?annotator=olga`);
    const overall = page.locator('.pl-agreement-criterion[data-criterion="overall"]');
    await overall.waitFor({timeout: 60_000});
    // The figure on the page is the one the core computes from the same labels.
    const labels = server.service
      .list()
      .filter((a) => a.source === "reviewer")
      .map((a) => ({traceId: a.traceId, criterion: a.criterion, annotator: a.annotator, value: a.pass}));
    const expected = agreementByCriterion(labels).find((c) => c.criterion === "overall")!;
    assert.equal(
      await overall.locator(".pl-alpha").textContent(),
      expected.alpha.alpha === null ? `undefined (${expected.alpha.reason})` : expected.alpha.alpha.toFixed(3)
    );
    const row = overall.locator('.pl-disagreement[data-trace="trace-weather"]');
    // Ratings read as the rubric's verdicts, and a figure from so few items carries its warning.
    assert.deepEqual(await row.locator(".pl-chip").allInnerTexts(), ["bo: pass", "cy: fail"]);
    assert.match(await overall.locator(".pl-small-n").innerText(), /^Only \d+ items? labelled .* under 30/);
    await row.getByText("decide fail").click();
    await row.getByText("decided fail by olga").waitFor();
    await server.service.flush();
    assertClean(record);
    // The server still holds the store; read the view through its own serialised access.
    const truth = await server.service.withStore(async (c) =>
      (
        await c.runAndReadAll(
          "SELECT pass, decided_by FROM ground_truth WHERE trace_id = 'trace-weather' AND criterion = 'overall'"
        )
      ).getRows()
    );
    assert.deepEqual(truth, [[false, "adjudicated"]]);
  });

  it("the published site shows the labels read-only, offline, under the strict policy", async () => {
    await server.service.create({
      traceId: HOSTILE_TRACE_ID,
      criterion: "overall",
      annotator: "eve",
      pass: false,
      source: "reviewer",
      explanation: HOSTILE_SCRIPT,
      failureMode: HOSTILE_IMAGE
    });
    const labels = server.service.list().length;
    await server.close();
    const project = copyProject();
    // The two pages this test opens, with their loaders; the others would only slow the build.
    keepOnly(project, ["annotate.md", "agreement.md"]);
    const site = await buildSite(project, workspace);
    addCspMeta(site.distDir);
    const staticServer = await serveStatic(site.distDir, {csp: "strict"});
    try {
      assert.deepEqual(site.networkRequests, []);
      const {page, record} = await recordedPage(browser);
      await page.goto(`${staticServer.url}/annotate#trace=trace-chat-2`);
      await page.locator(".pl-annotate-bar .pl-badge", {hasText: "read-only"}).waitFor({timeout: 30_000});
      await page.locator(".pl-label-item", {hasText: "“to Tuesday without asking” (message 2)"}).waitFor();
      // The published site shows labels and no editor: no verdict buttons, no annotator box.
      assert.equal(await page.locator(".pl-verdict").count(), 0);
      assert.equal(await page.locator(".pl-annotator").count(), 0);
      await page.locator(".pl-readonly", {hasText: "shows the labels as they were when it was built"}).waitFor();
      await page.keyboard.press("p");
      await page.locator(".pl-status-line", {hasText: "read-only"}).waitFor();
      // Label text is as untrusted as trace text: a hostile explanation and failure mode on a hostile trace stay text.
      await page.goto(`${staticServer.url}/annotate#trace=${HOSTILE_TRACE_ID}`);
      await page.locator(".pl-label-item", {hasText: HOSTILE_SCRIPT}).waitFor({timeout: 30_000});
      assert.equal(await page.evaluate(() => (window as unknown as {__xss?: number}).__xss), undefined);
      await page.goto(`${staticServer.url}/agreement`);
      await page
        .locator('.pl-disagreement[data-trace="trace-weather"]', {hasText: "decided fail by olga"})
        .waitFor({timeout: 30_000});
      assert.equal(await page.getByText("decide pass").count(), 0);
      assertClean(record);
      assert.deepEqual(record.cspViolations, []);
      assert.ok(labels > 10);
    } finally {
      await staticServer.close();
      rmSync(site.projectDir, {recursive: true, force: true});
    }
  });
});
