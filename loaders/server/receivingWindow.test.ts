import assert from "node:assert/strict";
import {join} from "node:path";
import {test} from "node:test";
import {tempDir} from "../fixtures/tempDir.js";
import {startServer} from "./serve.js";

test("the server's receiving window reaches the receiver, which reports it to the live view", async (t) => {
  const root = tempDir("receiving-window", t);
  for (const [receivingMs, expected] of [
    [undefined, 30_000],
    [120_000, 120_000]
  ] as const) {
    const server = await startServer({
      workspace: join(root, `ws-${expected}`),
      host: "127.0.0.1",
      port: 0,
      pages: false,
      ...(receivingMs !== undefined ? {receivingMs} : {})
    });
    try {
      assert.equal(server.receiver.live().receivingMs, expected);
      const live = (await (await fetch(`http://127.0.0.1:${server.port}/api/live`)).json()) as {receivingMs: number};
      assert.equal(live.receivingMs, expected);
    } finally {
      await server.close();
    }
  }
});
