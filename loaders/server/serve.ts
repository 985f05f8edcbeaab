/**
 * @module `plumbline start`'s server: Framework's preview on an internal loopback port, and in front of it, on
 * the address the user asked for, one Hono server that answers `/api/` itself and passes everything else to the
 * preview, its live-reload WebSocket included. One origin means pages call the API with plain relative URLs and
 * one token check covers pages, data and API alike.
 */
import {spawn, type ChildProcess} from "node:child_process";
import {once} from "node:events";
import type {IncomingMessage} from "node:http";
import {connect, createServer as createNetServer, type AddressInfo, type Socket} from "node:net";
import {join} from "node:path";
import type {Duplex} from "node:stream";
import {serve, type ServerType} from "@hono/node-server";
import {openAnnotationService, type AnnotationService} from "../annotations/service.js";
import {PROJECT_ROOT} from "../cli/workspaceChanged.js";
import {createApp, type SubApp} from "./app.js";
import {isLoopbackHost, presentedToken, tokenMatches} from "./auth.js";

const OBSERVABLE = join(PROJECT_ROOT, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");

export interface ServerOptions {
  workspace: string;
  host: string;
  port: number;
  /** Required when `host` is not loopback. */
  token?: string | null;
  subApps?: readonly SubApp[];
  /** Start Framework's preview and serve pages (default true); false serves the API alone. */
  pages?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  service: AnnotationService;
  close(): Promise<void>;
}

/** Thrown before anything starts when the options would expose the server without a token. */
export class ServerConfigError extends Error {
  override readonly name = "ServerConfigError";
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

function startPreview(port: number, options: ServerOptions): ChildProcess {
  const env = options.env ?? process.env;
  return spawn(process.execPath, [OBSERVABLE, "preview", "--host", "127.0.0.1", "--port", String(port), "--no-open"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {...env, PLUMBLINE_WORKSPACE: options.workspace, PLUMBLINE_API: "1", PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${env.PATH ?? ""}`}
  });
}

async function waitForPreview(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the page server exited with status ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the page server did not start within 60 s");
}

/** Pipes a WebSocket upgrade to the preview server byte for byte, after the same token check as any request. */
function proxyUpgrade(previewPort: number, token: string | null, open: Set<Duplex>) {
  return (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Upgraded sockets leave the HTTP server's bookkeeping but still hold `close` open; they are ended there.
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    const url = new URL(request.url ?? "/", "http://localhost");
    if (token && !tokenMatches(token, presentedToken({authorization: request.headers.authorization, cookie: request.headers.cookie}, url))) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    const upstream: Socket = connect(previewPort, "127.0.0.1", () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
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
async function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number, tries: number): Promise<ServerType> {
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
    throw new ServerConfigError(`refusing to serve on ${options.host} without an access token: pages show untrusted trace text and the API writes labels`);
  }
  const log = options.log ?? (() => {});
  const service = openAnnotationService({workspace: options.workspace, onMirrorError: (error) =>
    log(`annotation store mirror will retry: ${error instanceof Error ? error.message : String(error)}`)});
  for (const problem of service.problems) log(`${problem.file}:${problem.line}: ${problem.reason}`);
  let preview: ChildProcess | null = null;
  let previewPort: number | null = null;
  try {
    if (options.pages ?? true) {
      previewPort = await freePort();
      preview = startPreview(previewPort, options);
      preview.stdout!.on("data", () => {});
      preview.stderr!.on("data", (data: Buffer) => log(data.toString().trimEnd()));
      await waitForPreview(preview, previewPort);
    }
    const app = createApp({service, token, subApps: options.subApps, pagesOrigin: previewPort ? `http://127.0.0.1:${previewPort}` : null});
    const server = await listen(app.fetch, options.host, options.port, options.port === 0 ? 0 : 20);
    const upgraded = new Set<Duplex>();
    let closing: Promise<void> | null = null;
    if (previewPort) server.on("upgrade", proxyUpgrade(previewPort, token, upgraded));
    const port = (server.address() as AddressInfo).port;
    const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
    return {
      url: `http://${shownHost}:${port}`,
      port,
      service,
      close() {
        return (closing ??= shutdown());
      }
    };
    async function shutdown(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ("closeAllConnections" in server) server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await closed;
      if (preview && preview.exitCode === null) {
        preview.kill("SIGTERM");
        await once(preview, "exit");
      }
      await service.close();
    }
  } catch (error) {
    if (preview && preview.exitCode === null) preview.kill("SIGTERM");
    await service.close();
    throw error;
  }
}
