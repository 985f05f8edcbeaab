// `plumbline start`'s pages as a browser and as other processes on the machine see them: the internal page server
// refuses anything that did not come through the front server, a rebound host name gets nothing, and each page
// carries the built site's Content-Security-Policy (plus its own live-reload socket) and runs under it.
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {once} from "node:events";
import {rmSync} from "node:fs";
import {connect} from "node:net";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {Browser} from "playwright-core";
import {assertClean} from "../browser/assertClean.js";
import {launchChromium, recordedPage} from "../browser/chromium.js";
import {LIVE_EVAL, STRICT_CSP, inlineScripts, policyForPage, scriptHash} from "../site/csp.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {PAGES_SECRET_HEADER} from "./auth.js";
import {rawRequest} from "./httpClient.js";
import {startServer, type RunningServer} from "./serve.js";
import {tempDir} from "../fixtures/tempDir.js";

/** Sends a WebSocket upgrade for Framework's live-reload socket and returns the status line of the answer. */
function upgrade(port: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      const lines = [
        "GET /_observablehq HTTP/1.1",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
      ];
      socket.write(lines.join("\r\n") + "\r\n\r\n");
    });
    let answer = "";
    socket.on("data", (data: Buffer) => {
      answer += data.toString();
      if (answer.includes("\r\n")) {
        socket.destroy();
        resolve(answer.slice(0, answer.indexOf("\r\n")));
      }
    });
    socket.on("error", reject);
  });
}

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources])
  );
}

describe("the pages behind plumbline start", {timeout: 180_000}, () => {
  let workspace: string;
  let server: RunningServer;
  let host: string;

  before(async () => {
    workspace = tempDir("pages");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    server = await startServer({workspace, host: "127.0.0.1", port: 0});
    host = `127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server?.close();
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("the internal page server refuses requests and sockets that did not come through the front server", async () => {
    const pagesPort = server.pagesPort!;
    assert.ok(pagesPort && pagesPort !== server.port);
    for (const path of ["/traces", "/_file/data/traces.arrow", "/_observablehq/client.js"]) {
      const direct = await rawRequest(pagesPort, {path});
      assert.equal(direct.status, 403, path);
      assert.match(direct.text, /internal page server/);
      assert.equal(
        (await rawRequest(pagesPort, {path, headers: {[PAGES_SECRET_HEADER]: "guessed"}})).status,
        403,
        path
      );
    }
    assert.match(await upgrade(pagesPort, {Host: `127.0.0.1:${pagesPort}`}), /^HTTP\/1\.1 403/);
    // A secret sent by the client is replaced by the front server's own, so the page still loads.
    const through = await rawRequest(server.port, {
      path: "/traces.html",
      headers: {[PAGES_SECRET_HEADER]: "guessed"}
    });
    assert.equal(through.status, 200);
    assert.match(through.text, /<title>Traces/);
    assert.match(await upgrade(server.port, {Host: host, Origin: `http://${host}`}), /^HTTP\/1\.1 101/);
  });

  it("a rebound host name gets no page, no data and no live-reload socket; another site's page gets no socket", async () => {
    const evil = `evil.example:${server.port}`;
    for (const path of ["/traces", "/_file/data/traces.arrow", "/api/state"]) {
      const response = await rawRequest(server.port, {path, host: evil, headers: {origin: `http://${evil}`}});
      assert.equal(response.status, 403, path);
      assert.match(response.text, /answers only to 127\.0\.0\.1, localhost, \[::1\]/);
    }
    assert.match(await upgrade(server.port, {Host: evil, Origin: `http://${evil}`}), /^HTTP\/1\.1 403/);
    assert.match(await upgrade(server.port, {Host: host, Origin: "http://evil.example"}), /^HTTP\/1\.1 403/);
    assert.equal((await rawRequest(server.port, {path: "/traces.html", host: `localhost:${server.port}`})).status, 200);
  });

  it("each page carries the built site's policy, with its own inline scripts pinned and its live-reload socket allowed", async () => {
    // Page links name the .html file (observablehq.config.ts); the preview still serves an address without it.
    assert.equal((await rawRequest(server.port, {path: "/traces", host})).status, 200);
    for (const path of ["/index.html", "/traces.html", "/annotate.html"]) {
      const response = await rawRequest(server.port, {path, host});
      assert.equal(response.status, 200, path);
      const policy = response.headers["content-security-policy"];
      assert.equal(typeof policy, "string", `${path} has no Content-Security-Policy`);
      // The policy `plumbline build` gives the same text, but for the one source the live-reload socket needs.
      const built = directives(policyForPage(response.text));
      const served = directives(policy as string);
      assert.deepEqual(served.get("connect-src"), [...STRICT_CSP["connect-src"]!, `ws://${host}`], path);
      served.delete("connect-src");
      built.delete("connect-src");
      assert.deepEqual(served, built, path);
      assert.deepEqual(served.get("script-src"), [
        ...STRICT_CSP["script-src"]!,
        ...new Set(inlineScripts(response.text).map(scriptHash))
      ]);
      assert.ok(inlineScripts(response.text).length > 0);
      // The page reloads on a code change instead of evaluating code, which the policy forbids.
      assert.equal(response.text.includes(LIVE_EVAL), false, path);
      assert.match(response.text, /eval: \(\) => location\.reload\(\)/);
    }
    // Data and API answers are not pages and keep their own headers.
    assert.equal(
      (await rawRequest(server.port, {path: "/api/health", host})).headers["content-security-policy"],
      undefined
    );
  });

  it("the page server's own process serves only the secret it read, and exits when its input closes", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(PROJECT_ROOT, "loaders", "server", "pagesMain.ts")],
      {cwd: PROJECT_ROOT, stdio: ["pipe", "pipe", "inherit"], env: {...process.env, PLUMBLINE_WORKSPACE: workspace}}
    );
    try {
      child.stdin!.write("a-secret-for-this-test\n");
      let output = "";
      child.stdout!.on("data", (data: Buffer) => (output += data));
      const deadline = Date.now() + 60_000;
      while (!/^listening \d+$/m.test(output)) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `the page server did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const port = Number(/^listening (\d+)$/m.exec(output)![1]);
      // Framework's own answer for a missing file (404, "File not found") shows the request got past the gate.
      assert.equal((await rawRequest(port, {path: "/_file/missing.csv"})).status, 403);
      const passed = await rawRequest(port, {
        path: "/_file/missing.csv",
        headers: {[PAGES_SECRET_HEADER]: "a-secret-for-this-test"}
      });
      assert.deepEqual([passed.status, passed.text], [404, "File not found"]);
      const exited = once(child, "exit");
      child.stdin!.end();
      assert.deepEqual(await exited, [0, null]);
    } finally {
      if (child.exitCode === null) child.kill("SIGTERM");
    }
  });

  describe("in Chromium", () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });

    it("pages load, write labels and open the live-reload socket under the policy without a violation", async () => {
      const {page, record} = await recordedPage(browser);
      const welcomed = new Promise<void>((resolve) =>
        page.on("websocket", (socket) =>
          socket.on("framereceived", (frame) => {
            if (String(frame.payload).includes('"welcome"')) resolve();
          })
        )
      );
      await page.goto(`${server.url}/traces`);
      await page.getByText("4 traces").waitFor({timeout: 60_000});
      await welcomed;
      await page.goto(`${server.url}/annotate?annotator=ana`);
      await page.locator(".pl-queue-current").waitFor({timeout: 60_000});
      await page.locator(".pl-annotate-trace .pl-tabs").waitFor({timeout: 30_000});
      await page.keyboard.press("f");
      await page.locator(".pl-status-line", {hasText: /Saved/}).waitFor({timeout: 10_000});
      assert.equal(server.service.list({annotator: "ana"}).length, 1);
      // Leaving a page cancels what it still had in flight; anything else that failed is a defect.
      record.failed = record.failed.filter((f) => f.error !== "net::ERR_ABORTED");
      assertClean(record);
    });
  });
});
