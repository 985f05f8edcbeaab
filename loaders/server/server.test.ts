import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {Hono} from "hono";
import {ServerConfigError, startServer, type RunningServer} from "./serve.js";
import {tokenMatches} from "./auth.js";
import {DEFAULT_MAX_BODY_BYTES} from "./body.js";
import {rawRequest, type RawResponse} from "./httpClient.js";
import {failureModeRoutes} from "../failureModes/routes.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("server");
after(() => rmSync(root, {recursive: true, force: true}));

const label = (traceId: string, annotator: string, pass: boolean) => ({
  traceId,
  annotator,
  criterion: "overall",
  pass,
  source: "reviewer"
});
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {method: "POST", headers: {"content-type": "application/json", ...headers}, body: JSON.stringify(body)});

describe("the API server", {timeout: 60_000}, () => {
  test("refuses to bind a non-loopback address without a token, before opening anything", async () => {
    await assert.rejects(
      startServer({workspace: join(root, "refused"), host: "0.0.0.0", port: 0, pages: false}),
      ServerConfigError
    );
  });

  test("with a token, rejects requests that lack it or present a wrong one, and serves those that carry it", async () => {
    const token = "s3cret-token-for-test";
    const extra = new Hono().get("/ping", (c) => c.json({pong: true}));
    const server = await startServer({
      workspace: join(root, "token"),
      host: "0.0.0.0",
      port: 0,
      token,
      pages: false,
      subApps: [{path: "/api/extra", app: extra}]
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${base}/api/state`)).status, 401);
      assert.equal((await fetch(`${base}/api/state`, {headers: {authorization: "Bearer wrong"}})).status, 401);
      assert.equal((await post(`${base}/api/annotations`, label("t1", "ana", true))).status, 401);
      assert.equal((await fetch(`${base}/api/extra/ping`)).status, 401, "mounted sub-apps are behind the token too");
      const ok = await fetch(`${base}/api/state`, {headers: {authorization: `Bearer ${token}`}});
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as {rubric: {criteria: unknown[]}}).rubric.criteria.length > 1, true);
      assert.deepEqual(
        await (await fetch(`${base}/api/extra/ping`, {headers: {cookie: `plumbline_token=${token}`}})).json(),
        {pong: true}
      );
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
    const writes = Array.from({length: 40}, (_, i) =>
      post(`${base()}/api/annotations`, label(`t${i % 20}`, i % 2 ? "ana" : "bo", i % 3 === 0))
    );
    const statuses = (await Promise.all(writes)).map((r) => r.status);
    assert.deepEqual(new Set(statuses), new Set([201]));
    const created = (await (await fetch(`${base()}/api/annotations`)).json()) as {id: string}[];
    const edit = await fetch(`${base()}/api/annotations/${created[0]!.id}`, {
      method: "PATCH",
      headers: {"content-type": "application/json"},
      body: JSON.stringify({by: "bo", explanation: "second look"})
    });
    assert.equal(edit.status, 200);
    assert.equal((await fetch(`${base()}/api/annotations/${created[1]!.id}?by=ana`, {method: "DELETE"})).status, 204);
    await server.close();
    server = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
    try {
      const after = (await (await fetch(`${base()}/api/annotations`)).json()) as {
        id: string;
        explanation: string | null;
      }[];
      assert.equal(after.length, 39);
      assert.equal(after.find((a) => a.id === created[0]!.id)!.explanation, "second look");
      assert.equal(
        after.some((a) => a.id === created[1]!.id),
        false
      );
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
      const notJson = await fetch(`${base}/api/annotations`, {
        method: "POST",
        headers: {"content-type": "application/json"},
        body: "{"
      });
      assert.equal(notJson.status, 400);
      const crossSite = await post(`${base}/api/annotations`, label("t1", "ana", true), {
        origin: "https://evil.example"
      });
      assert.equal(crossSite.status, 403);
      assert.equal(((await (await fetch(`${base}/api/annotations`)).json()) as unknown[]).length, 0);
    } finally {
      await server.close();
    }
  });
});

describe("the API server's guards", {timeout: 60_000}, () => {
  let server: RunningServer;
  let small: RunningServer;
  const json = (response: RawResponse) => JSON.parse(response.text) as {error: string; limit?: number};

  before(async () => {
    const mounted = (workspace: string) => [{path: "/api/failure-modes", app: failureModeRoutes({workspace})}];
    server = await startServer({
      workspace: join(root, "guards"),
      host: "127.0.0.1",
      port: 0,
      pages: false,
      allowedHosts: ["plumbline.test"],
      subApps: mounted(join(root, "guards"))
    });
    small = await startServer({
      workspace: join(root, "guards-small"),
      host: "127.0.0.1",
      port: 0,
      pages: false,
      maxBodyBytes: 4096,
      subApps: mounted(join(root, "guards-small"))
    });
  });
  after(async () => {
    await server?.close();
    await small?.close();
  });

  const labelCount = async (s: RunningServer) =>
    ((await (await fetch(`http://127.0.0.1:${s.port}/api/annotations`)).json()) as unknown[]).length;

  /** A label whose JSON is exactly `bytes` long. */
  const labelOfSize = (bytes: number) => {
    const bare = JSON.stringify({...label("t1", "ana", true), explanation: ""});
    return JSON.stringify({...label("t1", "ana", true), explanation: "x".repeat(bytes - bare.length)});
  };
  /** `text` in chunks of 64 KiB, sent without Content-Length. */
  const chunked = (text: string) =>
    Array.from({length: Math.ceil(text.length / 65536)}, (_, i) => text.slice(i * 65536, (i + 1) * 65536));
  const headers = {"content-type": "application/json"};

  test("a body over the limit gets 413 stating the limit, with or without Content-Length, and writes nothing", async () => {
    const sized = await rawRequest(server.port, {
      method: "POST",
      path: "/api/annotations",
      headers,
      body: labelOfSize(2 * DEFAULT_MAX_BODY_BYTES)
    });
    assert.equal(sized.status, 413);
    assert.equal(json(sized).limit, DEFAULT_MAX_BODY_BYTES);
    assert.match(json(sized).error, /limit of 1 MiB \(1048576 bytes\)/);
    // Chunked, with no Content-Length to check: the body is counted as it arrives, and one byte past is refused.
    const over = await rawRequest(server.port, {
      method: "POST",
      path: "/api/annotations",
      headers,
      chunks: chunked(labelOfSize(DEFAULT_MAX_BODY_BYTES + 1))
    });
    assert.equal(over.status, 413);
    assert.match(json(over).error, /1 MiB/);
    assert.equal(await labelCount(server), 0);
    // A body of exactly the limit is served as before, chunked or not.
    const fits = await rawRequest(server.port, {
      method: "POST",
      path: "/api/annotations",
      headers,
      chunks: chunked(labelOfSize(DEFAULT_MAX_BODY_BYTES))
    });
    assert.equal(fits.status, 201);
    assert.equal(await labelCount(server), 1);
  });

  test("the limit is configurable and holds on mounted routes too", async () => {
    const refused = await rawRequest(small.port, {
      method: "POST",
      path: "/api/annotations",
      headers,
      chunks: chunked(labelOfSize(4097))
    });
    assert.equal(refused.status, 413);
    assert.match(json(refused).error, /limit of 4 KiB \(4096 bytes\)/);
    const mounted = await rawRequest(small.port, {
      method: "POST",
      path: "/api/failure-modes/promote",
      headers,
      body: labelOfSize(5000)
    });
    assert.equal(mounted.status, 413);
    assert.equal(
      (await rawRequest(small.port, {method: "POST", path: "/api/annotations", headers, body: labelOfSize(4096)}))
        .status,
      201
    );
  });

  test("a request for another host name is refused, even with a matching Origin; loopback names and allowed names are served", async () => {
    const evil = `evil.example:${server.port}`;
    const write = await rawRequest(server.port, {
      method: "POST",
      path: "/api/annotations",
      host: evil,
      headers: {"content-type": "application/json", origin: `http://${evil}`},
      body: JSON.stringify(label("t9", "mallory", false))
    });
    assert.equal(write.status, 403);
    assert.match(json(write).error, /evil\.example.*answers only to 127\.0\.0\.1, localhost, \[::1\]/);
    assert.equal((await rawRequest(server.port, {path: "/api/state", host: evil})).status, 403);
    assert.equal((await rawRequest(server.port, {path: "/api/state", host: "127.0.0.1.evil.example"})).status, 403);
    assert.equal(
      server.service.list().some((a) => a.annotator === "mallory"),
      false
    );
    for (const host of [
      "127.0.0.1",
      `127.0.0.1:${server.port}`,
      "localhost:1234",
      `LOCALHOST:${server.port}`,
      `[::1]:${server.port}`,
      `plumbline.test:${server.port}`
    ]) {
      assert.equal((await rawRequest(server.port, {path: "/api/health", host})).status, 200, host);
    }
    // A name it was told to accept counts on its own port only.
    assert.equal(
      (await rawRequest(server.port, {path: "/api/health", host: `plumbline.test:${server.port + 1}`})).status,
      403
    );
  });

  test("a body that is JSON but not an object gets 400 with the reason on every write route", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const created = (await (await post(`${base}/api/annotations`, label("t2", "bo", false))).json()) as {id: string};
    const routes: [string, string][] = [
      ["POST", "/api/annotations"],
      ["PATCH", `/api/annotations/${created.id}`],
      ["POST", "/api/adjudications"],
      ["POST", "/api/failure-modes/promote"]
    ];
    for (const [method, path] of routes) {
      for (const [body, kind] of [
        ["null", "null"],
        ["[]", "an array"],
        ["3", "a number"],
        ['"x"', "a string"]
      ] as const) {
        const response = await fetch(`${base}${path}`, {method, headers: {"content-type": "application/json"}, body});
        assert.equal(response.status, 400, `${method} ${path} ${body}`);
        assert.match(
          ((await response.json()) as {error: string}).error,
          new RegExp(`body is ${kind}; ${method} /api/.* takes a JSON object`)
        );
      }
    }
    assert.equal(
      (
        await fetch(`${base}/api/annotations/${created.id}`, {
          method: "PATCH",
          headers: {"content-type": "application/json"},
          body: JSON.stringify({by: "bo", explanation: "still works"})
        })
      ).status,
      200
    );
  });
});
