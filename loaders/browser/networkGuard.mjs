// Preloaded (`node --import`) into a build to prove it is offline: every fetch to a non-loopback host is recorded
// in the file named by PLUMBLINE_NETWORK_LOG and then fails, as it would on a machine with no network. Plain
// JavaScript, so that any Node process can preload it without a TypeScript loader.
import {appendFileSync} from "node:fs";

const log = process.env.PLUMBLINE_NETWORK_LOG;
const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);
const originalFetch = globalThis.fetch;

globalThis.fetch = async function guardedFetch(input, init) {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (loopback.has(url.hostname)) return originalFetch(input, init);
  if (log) appendFileSync(log, `${url.href}\n`);
  throw new TypeError(`network request blocked: ${url.href}`);
};
