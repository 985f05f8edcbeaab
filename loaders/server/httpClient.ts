/**
 * @module Plain HTTP requests for the server's tests: unlike `fetch`, they can name any `Host` and send a body in
 * chunks without `Content-Length`, as a client on the network can.
 */
import {request as httpRequest, type ClientRequest} from "node:http";

export interface RawRequest {
  method?: string;
  path: string;
  /** The `Host` header to send (default: the address connected to). */
  host?: string;
  headers?: Record<string, string>;
  /** Sent with `Content-Length`. */
  body?: string | Buffer;
  /** Sent one by one with `Transfer-Encoding: chunked` and no `Content-Length`. */
  chunks?: readonly (string | Buffer)[];
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function drainedOrClosed(request: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      request.off("drain", done);
      request.off("close", done);
      resolve();
    };
    request.on("drain", done);
    request.on("close", done);
  });
}

/** One request to 127.0.0.1:`port`; resolves with the response even when the server answers before the body is sent. */
export function rawRequest(port: number, options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {...options.headers};
    if (options.host !== undefined) headers.host = options.host;
    if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
    // A connection of its own: one the server closed after refusing a body must not be reused.
    const request = httpRequest({
      host: "127.0.0.1",
      port,
      method: options.method ?? "GET",
      path: options.path,
      headers,
      agent: false
    });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () =>
        resolve({status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(parts).toString()})
      );
      response.on("error", reject);
    });
    // A server that refuses a body may close the connection while it is still being sent; its answer counts.
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (options.body !== undefined) request.end(options.body);
    else if (options.chunks) {
      void (async () => {
        for (const chunk of options.chunks!) {
          if (answered || request.destroyed) return;
          if (!request.write(chunk)) await drainedOrClosed(request);
        }
        request.end();
      })();
    } else request.end();
  });
}
