/**
 * @module A `fetch` for the openai client built on `node:http(s)` with a keep-alive agent. Node's built-in fetch
 * (undici) spends about a millisecond of CPU per call on its stream machinery; at 32 concurrent calls that alone
 * would hold the judge runner well below what the endpoint allows. Only what the client uses is supported:
 * method, headers, a string or byte body, an AbortSignal, and a buffered response.
 */
import {Agent as HttpAgent, request as httpRequest, type IncomingMessage} from "node:http";
import {Agent as HttpsAgent, request as httpsRequest} from "node:https";

export function httpFetch(options: {maxSockets?: number} = {}): typeof fetch {
  const agents = {
    "http:": new HttpAgent({keepAlive: true, maxSockets: options.maxSockets ?? 256}),
    "https:": new HttpsAgent({keepAlive: true, maxSockets: options.maxSockets ?? 256})
  };
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const body =
      init.body == null
        ? null
        : typeof init.body === "string"
          ? Buffer.from(init.body)
          : init.body instanceof Uint8Array
            ? Buffer.from(init.body)
            : null;
    if (init.body != null && body === null) throw new TypeError("httpFetch supports string and byte bodies only");
    if (body) headers["content-length"] = String(body.length);
    const signal = init.signal ?? null;
    if (signal?.aborted) throw signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
    const message = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, {method: init.method ?? "GET", headers, agent}, resolve);
      const onAbort = () => req.destroy(signal?.reason ?? new DOMException("The operation was aborted.", "AbortError"));
      signal?.addEventListener("abort", onAbort, {once: true});
      req.on("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(error);
      });
      req.on("close", () => signal?.removeEventListener("abort", onAbort));
      req.end(body ?? undefined);
    });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const onAbort = () =>
        message.destroy(signal?.reason ?? new DOMException("The operation was aborted.", "AbortError"));
      signal?.addEventListener("abort", onAbort, {once: true});
      message.on("data", (chunk: Buffer) => chunks.push(chunk));
      message.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      message.on("error", reject);
      message.on("aborted", () => reject(new Error("the response was cut off")));
    });
    const responseHeaders = new Headers();
    for (const [key, value] of Object.entries(message.headers)) {
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
      else if (value !== undefined) responseHeaders.set(key, value);
    }
    const status = message.statusCode ?? 0;
    const nullBody = status === 204 || status === 304;
    return new Response(nullBody ? null : Buffer.concat(chunks), {
      status,
      statusText: message.statusMessage ?? "",
      headers: responseHeaders
    });
  }) as typeof fetch;
}
