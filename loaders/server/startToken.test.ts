// `plumbline start --host 0.0.0.0` as a user runs it: with no token given, one is generated and printed once,
// and the server then refuses every request that does not carry it, pages and API alike.
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {rmSync} from "node:fs";
import {hostname} from "node:os";
import {after, before, describe, it} from "node:test";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {freePort} from "./serve.js";
import {rawRequest} from "./httpClient.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("plumbline start beyond loopback", {timeout: 120_000}, () => {
  let workspace: string;
  let child: ChildProcess;
  let output = "";
  let base: string;
  let token: string;

  before(async () => {
    workspace = tempDir("start-token");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      [
        "bin/plumbline.js",
        "start",
        "--host",
        "0.0.0.0",
        "--port",
        String(port),
        "--no-open",
        "--max-body",
        "64KiB",
        "--allowed-host",
        "plumbline.test"
      ],
      {
        cwd: PROJECT_ROOT,
        env: {...process.env, PLUMBLINE_WORKSPACE: workspace, CI: "1", NO_COLOR: "1"},
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
      }
    );
    child.stdout!.on("data", (d: Buffer) => (output += d));
    child.stderr!.on("data", (d: Buffer) => (output += d));
    const deadline = Date.now() + 90_000;
    while (!/Plumbline is serving/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`plumbline start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    token = /access token \(shown once[^)]*\): (\S+)/.exec(output)![1]!;
  });

  after(() => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    if (workspace) rmSync(workspace, {recursive: true, force: true});
  });

  it("prints a generated token once and refuses pages and API without it", async () => {
    assert.ok(token.length >= 32);
    assert.equal(output.split(token).length - 1, 2, "the token line and the sign-in URL, nothing else");
    assert.equal((await fetch(`${base}/api/state`)).status, 401);
    assert.equal((await fetch(`${base}/traces.html`)).status, 401);
    assert.equal(
      (await fetch(`${base}/api/state`, {headers: {authorization: `Bearer ${token.slice(0, -1)}x`}})).status,
      401
    );
    assert.equal((await fetch(`${base}/api/state`, {headers: {authorization: `Bearer ${token}`}})).status, 200);
    const page = await fetch(`${base}/traces.html`, {headers: {cookie: `plumbline_token=${token}`}});
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Traces/);
  });

  it("answers to this machine's name and the allowed names, refuses others, and applies --max-body", async () => {
    const port = Number(new URL(base).port);
    const auth = {authorization: `Bearer ${token}`};
    for (const host of [`${hostname()}:${port}`, `plumbline.test:${port}`, `localhost:${port}`]) {
      assert.equal((await rawRequest(port, {path: "/api/health", host, headers: auth})).status, 200, host);
    }
    const refused = await rawRequest(port, {path: "/api/health", host: `evil.example:${port}`, headers: auth});
    assert.equal(refused.status, 403);
    assert.match(refused.text, /--allowed-host/);
    const big = await rawRequest(port, {
      method: "POST",
      path: "/api/annotations",
      headers: {...auth, "content-type": "application/json"},
      body: JSON.stringify({explanation: "x".repeat(65 * 1024)})
    });
    assert.equal(big.status, 413);
    assert.match(big.text, /64 KiB/);
  });
});
