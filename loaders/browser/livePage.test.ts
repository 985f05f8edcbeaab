// The Traces page's live view in Chromium against the real server (API + Framework preview): a trace sent with the
// OpenTelemetry SDK's exporter while the page is open appears in the list without a reload, marked "receiving" in
// the list and the trace view; a second span of the same trace, sent later, reaches the open page as well.
import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {after, before, describe, it} from "node:test";
import {SpanKind, trace, context} from "@opentelemetry/api";
import {OTLPTraceExporter} from "@opentelemetry/exporter-trace-otlp-proto";
import {NodeTracerProvider, SimpleSpanProcessor} from "@opentelemetry/sdk-trace-node";
import type {Browser} from "playwright-core";
import {startServer, type RunningServer} from "../server/serve.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";
import {launchChromium, recordedPage} from "./chromium.js";

describe("the Traces page under plumbline start", {timeout: 600_000}, () => {
  let workspace: string;
  let server: RunningServer;
  let browser: Browser;
  /** Every URL the page asked for and got a 404. */
  const missing: string[] = [];
  /** Whether the root span, ended after the page showed the trace, reached the open trace view. */
  let rootShown = false;

  before(async () => {
    workspace = tempDir("live-page");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    server = await startServer({workspace, host: "127.0.0.1", port: 0});
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("shows a trace sent while the page is open, marked receiving, without a reload", async () => {
    const {page, record} = await recordedPage(browser);
    page.on("response", (response) => void (response.status() === 404 && missing.push(response.url())));
    await page.goto(`${server.url}/traces`, {timeout: 180_000, waitUntil: "domcontentloaded"});
    await page.locator(".pl-list").waitFor({timeout: 120_000});
    const provider = new NodeTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({url: `${server.url}/v1/traces`}))]
    });
    const tracer = provider.getTracer("live-page-test");
    const root = tracer.startSpan("weather agent live", {kind: SpanKind.INTERNAL});
    const chat = tracer.startSpan(
      "chat gpt-4o",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.input.messages": JSON.stringify([
            {role: "user", parts: [{type: "text", content: "Is it raining in Lyon right now?"}]}
          ])
        }
      },
      trace.setSpan(context.active(), root)
    );
    chat.end();
    await provider.forceFlush();
    const traceId = root.spanContext().traceId;
    // No reload: the page finds the new trace by polling.
    const row = page.locator(".pl-list", {hasText: "Is it raining in Lyon right now?"});
    await row.waitFor({timeout: 120_000});
    await page.locator(".pl-list .pl-dot.pl-status-receiving").first().waitFor({timeout: 30_000});
    await page.goto(`${server.url}/traces#trace=${traceId}`, {timeout: 180_000, waitUntil: "domcontentloaded"});
    await page.locator(".pl-detail .pl-status.pl-status-receiving").waitFor({timeout: 120_000});
    // The root span ends later; the open page takes it in too (the trace's name comes from its root).
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    await page
      .locator(".pl-detail .pl-view-title", {hasText: "weather agent live"})
      .waitFor({timeout: 120_000})
      .then(() => (rootShown = true))
      .catch(() => undefined);
    assert.deepEqual(record.external, [], "requests left the machine");
    assert.deepEqual(record.pageErrors, [], "uncaught errors");
    // A 404 is the console's "Failed to load resource" line; the test below keeps every 404 as a todo.
    assert.deepEqual(
      record.consoleErrors.filter((e) => !(missing.length > 0 && /status of 404/.test(e))),
      [],
      "console errors"
    );
  });

  it(
    "answers no request of the open page with 404",
    // The loader cache is invalidated as spans arrive; a deleted output answered a request being served 404.
    () => assert.deepEqual(missing, [], `404: ${missing.join(", ")}`)
  );

  it("shows a root span that arrives later in the open trace view", () => assert.ok(rootShown));
});
