/**
 * @module `POST /v1/traces` as a Hono sub-app, mounted at `/v1` on `plumbline start`'s server (behind its Host,
 * token and body-size checks) and, with `--otlp-port`, served alone on the OTLP/HTTP port (see loaders/server/otlpServer.ts).
 * `GET /api/live` is what the Traces page polls for its live view: a counter that changes when the store has
 * taken in new spans, and the traces still receiving spans.
 */
import {Hono} from "hono";
import type {Receiver} from "./receiver.js";

export function intakeRoutes(receiver: Receiver): Hono {
  const app = new Hono();
  app.post("/traces", async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const answer = await receiver.handle({
      body,
      contentType: c.req.header("content-type"),
      contentEncoding: c.req.header("content-encoding")
    });
    return c.body(
      typeof answer.body === "string" ? answer.body : (answer.body as Uint8Array<ArrayBuffer>),
      answer.status as 200,
      answer.headers
    );
  });
  return app;
}

export function liveRoutes(receiver: Receiver): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    c.header("cache-control", "no-store");
    return c.json(receiver.live());
  });
  return app;
}
