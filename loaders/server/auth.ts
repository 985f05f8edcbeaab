/**
 * @module Access tokens for a server reachable from other machines. Loopback needs none; any other address
 * needs one, presented as `Authorization: Bearer <token>`, as the `plumbline_token` cookie, or once as
 * `?token=` on a page URL (which sets the cookie). Comparison is constant-time over fixed-length digests, so
 * neither the token's content nor its length leaks through timing.
 */
import {createHash, randomBytes, timingSafeEqual} from "node:crypto";
import type {MiddlewareHandler} from "hono";
import {getCookie, setCookie} from "hono/cookie";

export const TOKEN_COOKIE = "plumbline_token";

/** The header that carries the per-start secret from the front server to the internal page server. */
export const PAGES_SECRET_HEADER = "x-plumbline-pages-secret";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

export function generateToken(): string {
  return randomBytes(24).toString("base64url");
}

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents, from the header, the cookie or the query, in that order. */
export function presentedToken(
  headers: {authorization?: string | undefined; cookie?: string | undefined},
  url: URL
): string | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
  if (bearer) return bearer.trim();
  const cookie = (headers.cookie ?? "")
    .split(";")
    .map((c) => c.trim().split("="))
    .find(([name]) => name === TOKEN_COOKIE)?.[1];
  if (cookie) return decodeURIComponent(cookie);
  return url.searchParams.get("token");
}

/** Refuses every request without the token; a page opened with `?token=` gets the cookie and a clean URL. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const given =
      c.req
        .header("authorization")
        ?.replace(/^Bearer\s+/i, "")
        .trim() ||
      getCookie(c, TOKEN_COOKIE) ||
      url.searchParams.get("token");
    if (!tokenMatches(token, given)) {
      return c.json(
        {
          error:
            "this server needs its access token: open the URL `plumbline start` printed, or send Authorization: Bearer <token>"
        },
        401
      );
    }
    if (url.searchParams.has("token") && c.req.method === "GET") {
      setCookie(c, TOKEN_COOKIE, token, {httpOnly: true, sameSite: "Strict", path: "/"});
      url.searchParams.delete("token");
      return c.redirect(url.pathname + url.search + url.hash, 303);
    }
    await next();
  };
}
