/**
 * @module The OTLP/HTTP port (`plumbline start --otlp-port`, 4318 by default as OTLP's own): only `/v1/traces`,
 * behind the same Host check, token and body-size limit as the main server, so an exporter left at its default
 * endpoint (`http://localhost:4318`) needs no further setting.
 */
import type {AddressInfo} from "node:net";
import {serve, type ServerType} from "@hono/node-server";
import {Hono} from "hono";
import {requireToken} from "./auth.js";
import {limitBody} from "./body.js";
import {hostAllowed, hostRefusal, namesFor} from "./hosts.js";
import {intakeRoutes} from "../intake/routes.js";
import type {Receiver} from "../intake/receiver.js";

export interface OtlpServerOptions {
  receiver: Receiver;
  host: string;
  port: number;
  token: string | null;
  allowedHosts: readonly string[];
  maxBodyBytes: number;
}

export async function startOtlpServer(options: OtlpServerOptions): Promise<{port: number; close(): Promise<void>}> {
  const app = new Hono();
  let port = options.port;
  app.use("*", async (c, next) => {
    const hosts = {host: options.host, port, allowedHosts: options.allowedHosts};
    const host = c.req.header("host");
    if (!hostAllowed(host, hosts, namesFor(hosts))) return c.json({error: hostRefusal(host)}, 403);
    await next();
  });
  if (options.token) app.use("*", requireToken(options.token));
  app.use("*", limitBody(options.maxBodyBytes));
  app.route("/v1", intakeRoutes(options.receiver));
  const server: ServerType = serve({fetch: app.fetch, port: options.port, hostname: options.host});
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      })
  };
}
