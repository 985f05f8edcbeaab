/**
 * @module A strict Content-Security-Policy for the built site, with the hashes of its inline scripts.
 *
 * Framework writes two inline scripts into every page: a `<script type="module">` holding the page's cells
 * (`define({…})`) and file registrations, and a small script that restores the sidebar's open state. Both
 * change with every build (they name hashed file paths), so `script-src 'self'` alone blocks every page and
 * `'unsafe-inline'` would give up the point of the policy. Instead, after `observable build`, each page gets
 * its own policy allowing exactly its inline scripts by SHA-256 hash: as a `<meta http-equiv>` tag, which works
 * on any static host, and from `policyForPage` for a server that sends it as a header. `plumbline start` sends
 * the same policy as a header on each page it serves (`livePolicyForPage`).
 */
import {createHash} from "node:crypto";
import {readFileSync, readdirSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";

/**
 * Everything from this origin only; inline styles because Plot and Framework set `style` attributes.
 * `'wasm-unsafe-eval'` lets a page's worker compile WebAssembly the site serves (DuckDB-WASM, for SQL in a
 * notebook: `src/components/sql.ts`); unlike `'unsafe-eval'` it allows no `eval` or `new Function` of JavaScript,
 * and the module's bytes can still come from this origin only (`connect-src`). Workers come from this origin.
 */
export const STRICT_CSP: Record<string, string[]> = {
  "default-src": ["'self'"],
  "script-src": ["'self'", "'wasm-unsafe-eval'"],
  "style-src": ["'self'", "'unsafe-inline'"],
  "img-src": ["'self'", "data:"],
  "connect-src": ["'self'"],
  "worker-src": ["'self'", "blob:"]
};

export function formatPolicy(policy: Record<string, string[]>): string {
  return Object.entries(policy)
    .map(([directive, sources]) => [directive, ...sources].join(" "))
    .join("; ");
}

/** The text of each inline `<script>` (one without `src`), exactly as the browser hashes it. */
export function inlineScripts(html: string): string[] {
  const scripts: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (!/\bsrc\s*=/i.test(match[1]!)) scripts.push(match[2]!);
  }
  return scripts;
}

export function scriptHash(script: string): string {
  return `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
}

/** The strict policy for one page, allowing its own inline scripts and nothing else inline. */
export function policyForPage(html: string): string {
  return formatPolicy({...STRICT_CSP, "script-src": scriptSources(html)});
}

function scriptSources(html: string): string[] {
  return [...STRICT_CSP["script-src"]!, ...new Set(inlineScripts(html).map(scriptHash))];
}

/**
 * The same policy for a page served live by `plumbline start`: its live-reload WebSocket goes to the page's own
 * host, which `connect-src 'self'` covers in current browsers but not in every browser, so that one origin
 * (`ws://<host>`) is named. Nothing else differs from the built site's policy.
 */
export function livePolicyForPage(html: string, host: string): string {
  // The host has passed the server's Host check; the pattern keeps anything else out of the header regardless.
  const connect = /^[\w.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(host) ? [`ws://${host}`] : [];
  return formatPolicy({
    ...STRICT_CSP,
    "script-src": scriptSources(html),
    "connect-src": [...STRICT_CSP["connect-src"]!, ...connect]
  });
}

/** What Framework's preview page evaluates when a page's code changes: under a policy without `'unsafe-eval'` it cannot. */
export const LIVE_EVAL = "eval: (body) => eval(body)";

/** A page served live reloads itself when its code changes instead of evaluating the new code, which the policy forbids. */
export function withoutLiveEval(html: string): string {
  return html.replace(LIVE_EVAL, "eval: () => location.reload()");
}

const META = /<meta http-equiv="Content-Security-Policy"[^>]*>\n?/i;

/** Adds (or replaces) each page's policy as a meta tag right after `<meta charset>`; returns the pages changed. */
export function addCspMeta(distDir: string): string[] {
  const pages: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith(".html")) {
        const html = readFileSync(path, "utf8").replace(META, "");
        // The meta tag must precede every script it governs; hashes do not cover the tag itself.
        const tag = `<meta http-equiv="Content-Security-Policy" content="${policyForPage(html)}">\n`;
        const charset = /<meta charset="[^"]*">\n?/i.exec(html);
        const at = charset ? charset.index + charset[0].length : html.indexOf("<head>") + "<head>".length;
        writeFileSync(path, html.slice(0, at) + tag + html.slice(at));
        pages.push(path);
      }
    }
  };
  visit(distDir);
  return pages;
}
