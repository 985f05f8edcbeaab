/**
 * @module `plumbline start`'s server: Framework's preview on an internal loopback port, and in front of it, on
 * the address the user asked for, one Hono server that answers `/api/` itself and passes everything else to the
 * preview, its live-reload WebSocket included. One origin means pages call the API with plain relative URLs and
 * one token check covers pages, data and API alike. The preview runs in its own process (pagesMain.ts) and
 * answers only requests that carry a secret generated here for each start, which only this server adds.
 */
import {spawn, type ChildProcess} from "node:child_process";
import {once} from "node:events";
import type {IncomingMessage} from "node:http";
import {connect, createServer as createNetServer, type AddressInfo, type Socket} from "node:net";
import {join} from "node:path";
import type {Duplex} from "node:stream";
import {serve, type ServerType} from "@hono/node-server";
import {feedbackRoutes} from "../annotations/feedbackRoutes.js";
import {openAnnotationService, type AnnotationService} from "../annotations/service.js";
import {openPairwiseReview} from "../annotations/pairwiseLog.js";
import {pairwiseRoutes} from "../annotations/pairwiseRoutes.js";
import {PlumblineError} from "../errors.js";
import {SERVED_ENV} from "../site/cache.js";
import {afterWorkspaceChange, PROJECT_ROOT} from "../workspace/changed.js";
import {openReceiver, type Receiver} from "../intake/receiver.js";
import {intakeRoutes, liveRoutes} from "../intake/routes.js";
import {startOtlpServer} from "./otlpServer.js";
import {createApp, type SubApp} from "./app.js";
import {PAGES_SECRET_HEADER, generateToken, isLoopbackHost, presentedToken, tokenMatches} from "./auth.js";
import {DEFAULT_MAX_BODY_BYTES} from "./body.js";
import {hostAllowed, hostRefusal, namesFor, type HostPolicy} from "./hosts.js";

const PAGES_MAIN = join(PROJECT_ROOT, "loaders", "server", "pagesMain.ts");

export interface ServerOptions {
  workspace: string;
  host: string;
  port: number;
  /** Required when `host` is not loopback. */
  token?: string | null;
  subApps?: readonly SubApp[];
  /** Start Framework's preview and serve pages (default true); false serves the API alone. */
  pages?: boolean;
  /** Names to answer to besides loopback and `host` (`--allowed-host`). */
  allowedHosts?: readonly string[];
  /** The largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Also serve `POST /v1/traces` alone on this port (OTLP/HTTP's 4318), on `host`; null or absent: not. */
  otlpPort?: number | null;
  /** A trace is shown as receiving while its last span came in under this long ago (default 30 s). */
  receivingMs?: number;
  /** Called with the ids of the traces the intake's catch-up (re)built in the store. */
  onTraces?: (traceIds: string[]) => void;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The page server's own loopback port (null without pages); it refuses requests that did not come through here. */
  pagesPort: number | null;
  service: AnnotationService;
  /** The OTLP/HTTP receiver behind `POST /v1/traces`. */
  receiver: Receiver;
  /** The port of the OTLP-only listener, when one was asked for. */
  otlpPort: number | null;
  close(): Promise<void>;
}

/** Thrown before anything starts when the options would expose the server without a token (a usage error, status 2). */
export class ServerConfigError extends PlumblineError {
  override readonly name = "ServerConfigError";
  constructor(message: string) {
    super(message, 2);
  }
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const {port} = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** Starts the page server's process, hands it the secret, and resolves with its port once it listens. */
async function startPages(
  secret: string,
  options: ServerOptions,
  log: (line: string) => void
): Promise<{child: ChildProcess; port: number}> {
  const env = options.env ?? process.env;
  const child = spawn(process.execPath, ["--import", "tsx", PAGES_MAIN], {
    cwd: PROJECT_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...env,
      PLUMBLINE_WORKSPACE: options.workspace,
      PLUMBLINE_API: "1",
      // Its cache is being served: invalidated outputs are marked stale, not deleted under a request.
      [SERVED_ENV]: "1",
      PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${env.PATH ?? ""}`
    }
  });
  child.stderr!.on("data", (data: Buffer) => log(data.toString().trimEnd()));
  // Standard input stays open: the page server exits when it closes, so it never outlives this process.
  child.stdin!.write(`${secret}\n`);
  child.stdin!.on("error", () => {});
  try {
    return {
      child,
      port: await new Promise<number>((resolve, reject) => {
        let output = "";
        const timer = setTimeout(() => reject(new Error("the page server did not start within 60 s")), 60_000);
        const done = (error: Error | null, port?: number) => {
          clearTimeout(timer);
          child.stdout!.off("data", read);
          child.off("exit", exited);
          child.stdout!.on("data", () => {});
          if (error) reject(error);
          else resolve(port!);
        };
        const read = (data: Buffer) => {
          output += data.toString();
          const port = /^listening (\d+)$/m.exec(output)?.[1];
          if (port) done(null, Number(port));
        };
        const exited = (code: number | null) => done(new Error(`the page server exited with status ${code}`));
        child.stdout!.on("data", read);
        child.once("exit", exited);
      })
    };
  } catch (error) {
    if (child.exitCode === null) child.kill("SIGTERM");
    throw error;
  }
}

/** Browsers send Origin on a WebSocket from any page; only this server's own pages may open one. */
function sameOriginUpgrade(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Duplex, status: string, message: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${message}\n`);
}

/**
 * Pipes a WebSocket upgrade to the page server byte for byte, after the same Host and token checks as any
 * request and a same-origin check, adding the page server's secret.
 */
function proxyUpgrade(
  pages: {port: number; secret: string},
  token: string | null,
  hosts: HostPolicy,
  open: Set<Duplex>
) {
  const names = namesFor(hosts);
  return (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Upgraded sockets leave the HTTP server's bookkeeping but still hold `close` open; they are ended there.
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    const url = new URL(request.url ?? "/", "http://localhost");
    if (!hostAllowed(request.headers.host, hosts, names))
      return refuseUpgrade(socket, "403 Forbidden", hostRefusal(request.headers.host));
    if (
      token &&
      !tokenMatches(
        token,
        presentedToken({authorization: request.headers.authorization, cookie: request.headers.cookie}, url)
      )
    ) {
      return refuseUpgrade(socket, "401 Unauthorized", "this server needs its access token");
    }
    if (!sameOriginUpgrade(request))
      return refuseUpgrade(socket, "403 Forbidden", "cross-origin WebSockets are refused");
    const upstream: Socket = connect(pages.port, "127.0.0.1", () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        if (request.rawHeaders[i]!.toLowerCase() !== PAGES_SECRET_HEADER)
          lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      }
      lines.push(`${PAGES_SECRET_HEADER}: ${pages.secret}`);
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => (upstream.destroy(), socket.destroy());
    upstream.on("error", end);
    socket.on("error", end);
  };
}

/** Listens on `port`, or the next free one up to `tries` further when it is taken. */
async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
  tries: number
): Promise<ServerType> {
  for (let attempt = 0; ; ++attempt) {
    const server: ServerType = serve({fetch, port: port + attempt, hostname});
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("listening", resolve);
        server.once("error", reject);
      });
      return server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= tries) throw error;
    }
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? null;
  if (!isLoopbackHost(options.host) && !token) {
    throw new ServerConfigError(
      `refusing to serve on ${options.host} without an access token: pages show untrusted trace text and the API writes labels`
    );
  }
  const log = options.log ?? (() => {});
  const service = openAnnotationService({
    workspace: options.workspace,
    onMirrorError: (error) =>
      log(`annotation store mirror will retry: ${error instanceof Error ? error.message : String(error)}`)
  });
  for (const problem of service.problems) log(`${problem.file}:${problem.line}: ${problem.reason}`);
  const pairwise = openPairwiseReview({workspace: options.workspace});
  for (const problem of pairwise.problems) log(`${problem.file}:${problem.line}: ${problem.reason}`);
  const receiver = openReceiver({
    workspace: options.workspace,
    ...(options.receivingMs !== undefined ? {receivingMs: options.receivingMs} : {}),
    onTraces: (traceIds) => {
      // The pages' loaders run again on the next view, so the explorer lists traces as they arrive, unbuilt.
      void afterWorkspaceChange(options.workspace, undefined, {served: true});
      options.onTraces?.(traceIds);
    },
    onCatchUpError: (error) =>
      log(`trace intake store catch-up will retry: ${error instanceof Error ? error.message : String(error)}`),
    onQuarantine: (path, rejected) =>
      log(`trace intake: ${rejected} received record${rejected === 1 ? "" : "s"} refused by the store, kept in ${path}`)
  });
  let otlp: {port: number; close(): Promise<void>} | null = null;
  let preview: ChildProcess | null = null;
  let previewPort: number | null = null;
  // A new secret on every start: the page server answers only requests this server forwards.
  const secret = generateToken();
  try {
    if (options.pages ?? true) {
      ({child: preview, port: previewPort} = await startPages(secret, options, log));
    }
    // The Host check needs the port, known only once listening; the app is made before any request can arrive.
    const server = await listen(
      (request) => app.fetch(request),
      options.host,
      options.port,
      options.port === 0 ? 0 : 20
    );
    const port = (server.address() as AddressInfo).port;
    const hosts: HostPolicy = {host: options.host, port, allowedHosts: options.allowedHosts ?? []};
    const app = createApp({
      service,
      token,
      subApps: [
        ...(options.subApps ?? []),
        {path: "/api/feedback", app: feedbackRoutes(service)},
        {path: "/api/pairwise", app: pairwiseRoutes(pairwise)},
        {path: "/v1", app: intakeRoutes(receiver)},
        {path: "/api/live", app: liveRoutes(receiver)}
      ],
      hosts,
      maxBodyBytes: options.maxBodyBytes,
      pagesOrigin: previewPort ? `http://127.0.0.1:${previewPort}` : null,
      pagesSecret: secret
    });
    if (options.otlpPort !== null && options.otlpPort !== undefined) {
      otlp = await startOtlpServer({
        receiver,
        host: options.host,
        port: options.otlpPort,
        token,
        allowedHosts: options.allowedHosts ?? [],
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
      });
    }
    const upgraded = new Set<Duplex>();
    let closing: Promise<void> | null = null;
    if (previewPort) server.on("upgrade", proxyUpgrade({port: previewPort, secret}, token, hosts, upgraded));
    const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
    return {
      url: `http://${shownHost}:${port}`,
      port,
      pagesPort: previewPort,
      service,
      receiver,
      otlpPort: otlp?.port ?? null,
      close() {
        return (closing ??= shutdown());
      }
    };
    async function shutdown(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ("closeAllConnections" in server) server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await closed;
      await otlp?.close();
      await receiver.close();
      if (preview && preview.exitCode === null) {
        preview.kill("SIGTERM");
        await once(preview, "exit");
      }
      await service.close();
      await pairwise.close();
    }
  } catch (error) {
    if (preview && preview.exitCode === null) preview.kill("SIGTERM");
    await otlp?.close();
    await receiver.close();
    await service.close();
    await pairwise.close();
    throw error;
  }
}
