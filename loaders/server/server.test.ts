import assert from "node:assert/strict";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, test} from "node:test";
import {Hono} from "hono";
import {ServerConfigError, startServer} from "./serve.js";
import {tokenMatches} from "./auth.js";

const root = mkdtempSync(join(tmpdir(), "plumbline-server-"));
after(() => rmSync(root, {recursive: true, force: true}));

const label = (traceId: string, annotator: string, pass: boolean) => ({traceId, annotator, criterion: "overall", pass, source: "reviewer"});
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {method: "POST", headers: {"content-type": "application/json", ...headers}, body: JSON.stringify(body)});

describe("the API server", {timeout: 60_000}, () => {
  test("refuses to bind a non-loopback address without a token, before opening anything", async () => {
    await assert.rejects(startServer({workspace: join(root, "refused"), host: "0.0.0.0", port: 0, pages: false}), ServerConfigError);
  });

  test("with a token, rejects requests that lack it or present a wrong one, and serves those that carry it", async () => {
    const token = "s3cret-token-for-test";
    const extra = new Hono().get("/ping", (c) => c.json({pong: true}));
    const server = await startServer({workspace: join(root, "token"), host: "0.0.0.0", port: 0, token, pages: false,
      subApps: [{path: "/api/extra", app: extra}]});
    try {
      const base = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${base}/api/state`)).status, 401);
      assert.equal((await fetch(`${base}/api/state`, {headers: {authorization: "Bearer wrong"}})).status, 401);
      assert.equal((await post(`${base}/api/annotations`, label("t1", "ana", true))).status, 401);
      assert.equal((await fetch(`${base}/api/extra/ping`)).status, 401, "mounted sub-apps are behind the token too");
      const ok = await fetch(`${base}/api/state`, {headers: {authorization: `Bearer ${token}`}});
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as {rubric: {criteria: unknown[]}}).rubric.criteria.length > 1, true);
      assert.deepEqual(await (await fetch(`${base}/api/extra/ping`, {headers: {cookie: `plumbline_token=${token}`}})).json(), {pong: true});
      // A page opened with ?token= sets the cookie and drops the token from the address.
      const signIn = await fetch(`${base}/api/health?token=${token}`, {redirect: "manual"});
      assert.equal(signIn.status, 303);
      assert.match(signIn.headers.get("set-cookie") ?? "", /plumbline_token=.*HttpOnly.*SameSite=Strict/i);
      assert.equal(signIn.headers.get("location"), "/api/health");
    } finally {
      await server.close();
    }
  });

  test("token comparison is exact", () => {
    assert.equal(tokenMatches("abc", "abc"), true);
    assert.equal(tokenMatches("abc", "abd"), false);
    assert.equal(tokenMatches("abc", "abcd"), false);
    assert.equal(tokenMatches("abc", undefined), false);
  });

  test("concurrent writes from two annotators all land, and a restart serves every one of them", async () => {
    const workspace = join(root, "concurrent");
    let server = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
    const base = () => `http://127.0.0.1:${server.port}`;
    const writes = Array.from({length: 40}, (_, i) => post(`${base()}/api/annotations`, label(`t${i % 20}`, i % 2 ? "ana" : "bo", i % 3 === 0)));
    const statuses = (await Promise.all(writes)).map((r) => r.status);
    assert.deepEqual(new Set(statuses), new Set([201]));
    const created = (await (await fetch(`${base()}/api/annotations`)).json()) as {id: string}[];
    const edit = await fetch(`${base()}/api/annotations/${created[0]!.id}`, {method: "PATCH", headers: {"content-type": "application/json"},
      body: JSON.stringify({by: "bo", explanation: "second look"})});
    assert.equal(edit.status, 200);
    assert.equal((await fetch(`${base()}/api/annotations/${created[1]!.id}?by=ana`, {method: "DELETE"})).status, 204);
    await server.close();
    server = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
    try {
      const after = (await (await fetch(`${base()}/api/annotations`)).json()) as {id: string; explanation: string | null}[];
      assert.equal(after.length, 39);
      assert.equal(after.find((a) => a.id === created[0]!.id)!.explanation, "second look");
      assert.equal(after.some((a) => a.id === created[1]!.id), false);
    } finally {
      await server.close();
    }
  });

  test("bad input gets a 400 that says what is wrong; a cross-site write is refused", async () => {
    const server = await startServer({workspace: join(root, "bad"), host: "127.0.0.1", port: 0, pages: false});
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const bad = await post(`${base}/api/annotations`, {traceId: "t1", criterion: "overall"});
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as {error: string}).error, /invalid annotation/);
      const notJson = await fetch(`${base}/api/annotations`, {method: "POST", headers: {"content-type": "application/json"}, body: "{"});
      assert.equal(notJson.status, 400);
      const crossSite = await post(`${base}/api/annotations`, label("t1", "ana", true), {origin: "https://evil.example"});
      assert.equal(crossSite.status, 403);
      assert.equal(((await (await fetch(`${base}/api/annotations`)).json()) as unknown[]).length, 0);
    } finally {
      await server.close();
    }
  });
});
