/** @module Helpers shared by the benchmarks: child processes, timing and number formatting. */
import {spawn, spawnSync} from "node:child_process";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const OUT = join(ROOT, "bench", "out");

/** Runs a node script in a fresh process and returns its wall time and the JSON it printed last. */
export function runNode<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{wallMs: number; result: T}> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {...process.env, ...env},
      stdio: ["ignore", "pipe", "pipe"]
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited ${code}\n${stderr}`));
      const start = stdout.lastIndexOf("\n{") + 1;
      try {
        resolvePromise({wallMs, result: JSON.parse(stdout.slice(start)) as T});
      } catch {
        reject(new Error(`no JSON result from ${args.join(" ")}:\n${stdout}\n${stderr}`));
      }
    });
  });
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString("en-US"),
  ms: (n: number) => `${(n / 1000).toFixed(2)} s`,
  ratio: (n: number) => `${n.toFixed(2)}×`,
  mb: (n: number) => `${Math.round(n)} MB`
};

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "))
    .join("\n");
}

/**
 * Brings the command's build up to date (see loaders/bundle/build.mjs), so that no timed `plumbline` run includes
 * a rebuild after a source changed.
 */
export function ensureCommandBuilt(): void {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "plumbline.js"), "--version"], {
    cwd: ROOT,
    encoding: "utf8"
  });
  if (result.status !== 0) throw new Error(`plumbline --version exited ${result.status}\n${result.stderr}`);
  if (result.stderr) console.log(result.stderr.trimEnd());
}
