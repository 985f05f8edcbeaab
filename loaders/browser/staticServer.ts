/**
 * @module Serves a built site from a folder on 127.0.0.1, like a static host would: clean URLs (`/traces` is
 * `traces.html`), byte ranges (the trace view reads details with them), and a strict Content-Security-Policy
 * header that allows nothing from another origin (see `../site/csp.ts`).
 */
import {createReadStream, readFileSync, statSync} from "node:fs";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {extname, join, normalize, sep} from "node:path";
import {STRICT_CSP, formatPolicy, policyForPage} from "../site/csp.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".arrow": "application/vnd.apache.arrow.stream",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm"
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * The Content-Security-Policy header: "strict" sends the strict policy, with each page's own inline-script
   * hashes on HTML responses; a string is sent as it is; null sends none.
   */
  csp?: "strict" | string | null;
  /** False answers every request whole, like hosts that ignore `Range`. */
  ranges?: boolean;
}

function resolveFile(root: string, pathname: string): string | null {
  const decoded = decodeURIComponent(pathname);
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return null;
  for (const candidate of [path, `${path}.html`, join(path, "index.html")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Try the next form of the URL.
    }
  }
  return null;
}

export async function serveStatic(
  root: string,
  {csp = "strict", ranges = true}: ServeOptions = {}
): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const {pathname} = new URL(request.url ?? "/", "http://localhost");
    const file = resolveFile(normalize(root), pathname);
    if (!file) {
      response.writeHead(404, {"content-type": "text/plain"}).end("not found");
      return;
    }
    const size = statSync(file).size;
    const headers: Record<string, string | number> = {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "accept-ranges": ranges ? "bytes" : "none",
      "cache-control": "no-cache"
    };
    if (csp === "strict") {
      headers["content-security-policy"] = file.endsWith(".html")
        ? policyForPage(readFileSync(file, "utf8"))
        : formatPolicy(STRICT_CSP);
    } else if (csp) {
      headers["content-security-policy"] = csp;
    }
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    if (ranges && range && (range[1] || range[2])) {
      // "bytes=a-b", "bytes=a-" and the suffix form "bytes=-n" (the last n bytes).
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) {
        response.writeHead(416, {"content-range": `bytes */${size}`}).end();
        return;
      }
      response.writeHead(206, {
        ...headers,
        "content-range": `bytes ${start}-${end}/${size}`,
        "content-length": end - start + 1
      });
      createReadStream(file, {start, end}).pipe(response);
      return;
    }
    response.writeHead(200, {...headers, "content-length": size});
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Browsers keep connections alive; without this, close waits for them and a test run never ends.
        server.closeAllConnections();
      })
  };
}
