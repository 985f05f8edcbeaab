// Drafted labels on the annotation page in Chromium with the network cut off, against the real server: a
// calibrated judge's verdict and a drafted failure description shown apart from the annotator's labels, `y`
// accepting the judge's as the annotator's label, `s` setting its severity, and a reload that keeps both.
import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {main} from "../cli/main.js";
import {startServer, type RunningServer} from "../server/serve.js";
import {withConnection} from "../store/db.js";
import {appendSnapshot} from "../store/calibrationSnapshots.js";
import {writeFailureDrafts} from "../store/failureDrafts.js";
import {captureIo} from "../fixtures/captureIo.js";
import {launchChromium, recordedPage} from "./chromium.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("drafted labels on the annotation page", {timeout: 240_000}, () => {
  let workspace: string;
  let specDir: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    workspace = tempDir("annotate-drafts");
    specDir = tempDir("annotate-drafts-specs");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    const spec = join(specDir, "tool-error.json");
    writeFileSync(
      spec,
      JSON.stringify({
        id: "tool-error",
        version: "1",
        failureMode: "tool_failed",
        criterion: "overall",
        kind: "rule",
        rule: {op: "tool_call", failed: true}
      })
    );
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["judge", "run", "--evaluator", spec], io), 0, io.stderr.join("\n"));
    await withConnection(workspace, async (connection) => {
      const reader = await connection.runAndReadAll(
        "SELECT evaluator_version FROM evaluator_versions WHERE evaluator_id = 'tool-error'"
      );
      // A calibration recorded for the version that judged: its verdicts become drafts.
      await appendSnapshot(connection, {
        evaluatorId: "tool-error",
        evaluatorVersion: String(reader.getRows()[0]![0]),
        criterion: "overall",
        labelSet: "overall@000000000000",
        takenAt: "2026-12-01T00:00:00.000Z",
        source: "calibrate update",
        split: "all",
        n: 60,
        confusion: {tp: 28, fp: 2, fn: 2, tn: 28},
        mcc: 0.867,
        mccInterval: null
      });
      await writeFailureDrafts(connection, [
        {
          traceId: "trace-refund",
          model: "drafter-1",
          promptVersion: "draft-1",
          evidenceHash: "b".repeat(64),
          text: "The refund tool failed and the agent told the user it had succeeded.",
          createdAt: "2026-12-01T00:00:00.000Z"
        }
      ]);
    });
    server = await startServer({workspace, host: "127.0.0.1", port: 0});
    await server.service.flush();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) rmSync(workspace, {recursive: true, force: true});
    if (specDir) rmSync(specDir, {recursive: true, force: true});
  });

  it("shows the drafts apart, y accepts the judge's as the label naming it, s sets severity, a reload keeps them", async () => {
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/annotate?annotator=ana#trace=trace-refund`, {timeout: 120_000});
    await page.locator('.pl-queue-current[data-trace="trace-refund"]').waitFor({timeout: 60_000});
    const panel = page.locator(".pl-draft-panel");
    await panel.waitFor({timeout: 30_000});
    const judge = panel.locator('.pl-draft[data-evaluator="tool-error"]');
    assert.match(await judge.innerText(), /draft\s+suggested by tool-error 1\+\w+ · overall/);
    assert.match(await judge.innerText(), /fail\s*tool_failed/);
    assert.match(await judge.innerText(), /blocks MCC 0\.867 on n 60/);
    assert.match(await panel.locator('.pl-draft[data-kind="failure_draft"]').innerText(), /refund tool failed/);
    // The suggestion is not a label: the annotator has none on this trace yet.
    assert.equal(await page.locator(".pl-label-item").count(), 0);
    assert.equal(await page.locator(".pl-draft-panel .pl-label-item, .pl-labels .pl-draft").count(), 0);

    await page.keyboard.press("y");
    await page.locator(".pl-status-line", {hasText: /Saved/}).waitFor({timeout: 10_000});
    const [label] = server.service.list({annotator: "ana"});
    assert.ok(label);
    assert.equal(label.traceId, "trace-refund");
    assert.equal(label.pass, false);
    assert.equal(label.failureMode, "tool_failed");
    assert.equal(label.source, "reviewer");
    assert.equal(label.acceptedFrom?.kind, "judge_verdict");
    assert.equal(label.acceptedFrom?.evaluatorId, "tool-error");
    assert.match(label.acceptedFrom?.evaluatorVersion ?? "", /^1\+/);
    await judge.locator(".pl-draft-accepted").waitFor();

    await page.keyboard.press("s");
    await page.locator(".pl-severity").selectOption("high");
    await page.locator(".pl-status-line", {hasText: /Updated/}).waitFor({timeout: 10_000});
    assert.equal(server.service.list({annotator: "ana"})[0]!.severity, "high");

    await page.reload({timeout: 120_000});
    await page.locator('.pl-queue-current[data-trace="trace-refund"]').waitFor({timeout: 60_000});
    const item = page.locator(".pl-label-item");
    await item.waitFor({timeout: 30_000});
    assert.match(await item.innerText(), /accepted from tool-error's draft/);
    assert.match(await item.innerText(), /high/);
    await page.locator('.pl-draft[data-evaluator="tool-error"] .pl-draft-accepted').waitFor();
    assert.equal(await page.locator(".pl-severity").inputValue(), "high");
    assert.deepEqual(record.external, [], "requests left the machine");
    assert.deepEqual(record.consoleErrors, [], "console errors");
    assert.deepEqual(record.pageErrors, [], "uncaught errors");
  });
});
