/**
 * @module Request bodies: a size limit on every request, and the JSON-object check every API write goes through.
 *
 * The limit holds whether or not the client sends `Content-Length`: a chunked body is counted as it arrives and
 * refused at the first byte past the limit, so no body larger than the limit is ever held in memory. Every write
 * route under `/api/` takes a JSON object; `null`, arrays, numbers and strings are refused with 400 here, once,
 * instead of failing inside each handler.
 */
import type {Context, MiddlewareHandler} from "hono";
import {bodyLimit} from "hono/body-limit";

/** 1 MiB: a label with a long explanation is a few kilobytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Reads `1048576`, `512KiB`, `4MiB` (and `k`, `m`, `kb`, `mb` as the same binary units). */
export function parseByteSize(text: string): number | null {
  const match = /^(\d+)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const bytes = Number(match[1]) * (unit === "k" ? 1024 : unit === "m" ? 1024 * 1024 : 1);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

/** Refuses a body over `maxBytes` with 413 and a JSON error that states the limit. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      c.json(
        {
          error:
            `the request body is larger than this server's limit of ${formatBytes(maxBytes)} ` +
            `(${maxBytes} bytes); send less, or start the server with a larger --max-body`,
          limit: maxBytes
        },
        413
      )
  });
}

export type JsonObject = Record<string, unknown>;

/** The variables the JSON-body check leaves on the context. */
export interface JsonBodyEnv {
  Variables: {jsonBody: JsonObject};
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string"
    ? "a string"
    : typeof value === "number"
      ? "a number"
      : typeof value === "boolean"
        ? "a boolean"
        : typeof value;
}

/**
 * Parses the body of every POST, PUT and PATCH as JSON and refuses anything but an object with 400. The parsed
 * object is left as `jsonBody` on the context; the raw request keeps its body for sub-apps that read it themselves.
 */
export function requireJsonObject(): MiddlewareHandler<JsonBodyEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST" && c.req.method !== "PUT" && c.req.method !== "PATCH") return next();
    const text = await c.req.raw.clone().text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return c.json(
        {error: `invalid JSON body: ${error instanceof Error ? error.message : String(error)}; send a JSON object`},
        400
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return c.json(
        {
          error: `the request body is ${kindOf(value)}; ${c.req.method} ${new URL(c.req.url).pathname} takes a JSON object`
        },
        400
      );
    }
    c.set("jsonBody", value as JsonObject);
    await next();
  };
}

/** The JSON object `requireJsonObject` parsed for this request. */
export function jsonBody(c: Context<JsonBodyEnv>): JsonObject {
  return c.get("jsonBody");
}
