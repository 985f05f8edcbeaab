/**
 * @module The page server: Framework's preview on a loopback port, answering only requests that carry the secret
 * the front server holds.
 *
 * The front server checks the token and the `Host`; the preview behind it checks nothing, and any process on
 * the machine (or a page that rebinds its name to 127.0.0.1) could otherwise read every page and data file from
 * its port directly. So Framework's handlers never see the HTTP server itself: they listen on a gate that passes
 * on only requests and WebSocket upgrades carrying the per-process secret, which the front server adds to each
 * request it forwards and which reaches this process on its standard input, never on a command line or in the
 * environment.
 */
import {EventEmitter} from "node:events";
import {createServer, type IncomingMessage, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {PreviewServer} from "@observablehq/framework/dist/preview.js";
import {PAGES_SECRET_HEADER, tokenMatches} from "./auth.js";

const REFUSAL = "this is Plumbline's internal page server; open the address `plumbline start` printed instead\n";

function carriesSecret(request: IncomingMessage, secret: string): boolean {
  const given = request.headers[PAGES_SECRET_HEADER];
  return typeof given === "string" && tokenMatches(secret, given);
}

/** Starts Framework's preview behind the secret on `127.0.0.1:port` (0 for any free port). */
export async function startPagesServer(secret: string, port = 0): Promise<Server> {
  if (!secret) throw new Error("the page server needs a secret");
  const gate = new EventEmitter();
  new PreviewServer({server: gate, verbose: false});
  const server = createServer();
  server.on("request", (request, response) => {
    if (carriesSecret(request, secret)) return void gate.emit("request", request, response);
    response.writeHead(403, {"content-type": "text/plain; charset=utf-8"}).end(REFUSAL);
  });
  server.on("upgrade", (request, socket, head) => {
    if (carriesSecret(request, secret)) return void gate.emit("upgrade", request, socket, head);
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${REFUSAL}`
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  gate.emit("listening");
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
