/**
 * @module Which names the server answers to. A page on another site can rebind its own DNS name to 127.0.0.1
 * and then read and write this server as if it were same-origin; its requests still carry that name in `Host`.
 * So the server answers only to loopback names, to the address it was started on, and to names it was told to
 * accept, and refuses every other `Host` (pages, data, API and the live-reload WebSocket alike).
 */
import {networkInterfaces, hostname as machineName} from "node:os";
import {isLoopbackHost} from "./auth.js";

export interface HostPolicy {
  /** The address the server was started on (`--host`). */
  host: string;
  /** The port it listens on. */
  port: number;
  /** Further names to answer to on that port (`--allowed-host`). */
  allowedHosts?: readonly string[];
}

const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

/** `[::1]` for an IPv6 address, the name itself otherwise, in lower case. */
function bracketed(host: string): string {
  const name = host.toLowerCase();
  return name.includes(":") && !name.startsWith("[") ? `[${name}]` : name;
}

/** Splits a `Host` header into its name and port (null when absent); null when it is not a host at all. */
export function parseHostHeader(header: string): {name: string; port: number | null} | null {
  const match = /^(\[[0-9a-f:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return null;
  return {name: match[1]!.toLowerCase(), port: match[2] === undefined ? null : Number(match[2])};
}

/**
 * The names accepted on the server's own port: the `--host` it was started on, or, when that is every
 * interface, each interface's address and the machine's name; and the extra names it was given.
 */
export function namesFor(policy: HostPolicy): Set<string> {
  const names = new Set((policy.allowedHosts ?? []).map(bracketed));
  if (WILDCARD.has(policy.host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(bracketed(address.address));
    }
    names.add(machineName().toLowerCase());
  } else {
    names.add(bracketed(policy.host));
  }
  return names;
}

/** Loopback names with any port (a tunnel or a port forward may sit in between); the others on the server's port. */
export function hostAllowed(
  header: string | undefined,
  policy: HostPolicy,
  names: Set<string> = namesFor(policy)
): boolean {
  const parsed = header ? parseHostHeader(header) : null;
  if (!parsed) return false;
  if (parsed.name === "localhost" || isLoopbackHost(parsed.name)) return true;
  return names.has(parsed.name) && (parsed.port ?? 80) === policy.port;
}

export function hostRefusal(header: string | undefined): string {
  const name = header ? `"${header.replace(/[^\x20-\x7e]/g, "?").slice(0, 200)}"` : "no Host header";
  return (
    `refused a request for ${name}: this server answers only to 127.0.0.1, localhost, [::1] and the address it was started on. ` +
    "Open one of those, or start it with --allowed-host <name> to serve it under another name"
  );
}
