/**
 * @module The monitor page's data loader on a generated store of 200,000 traces (loaders/fixtures/monitorTraffic.ts):
 * its wall time and peak memory, run as Framework runs it, in a process of its own, a few times.
 */
import {spawn} from "node:child_process";
import {existsSync, mkdirSync} from "node:fs";
import {join} from "node:path";
import {writeMonitorTraffic} from "../loaders/fixtures/monitorTraffic.js";
import {fmt, OUT, ROOT, table} from "./run.js";

export const MONITOR_TRACES = 200_000;
const ROUNDS = 5;

export interface MonitorFigures {
  traces: number;
  rounds: {wallMs: number; peakRssMb: number}[];
  medianMs: number;
  peakRssMb: number;
  outputBytes: number;
}

/** One run of the loader: its wall time, its peak memory and the size of what it printed. */
function runLoader(
  workspace: string,
  loader: string,
  env: NodeJS.ProcessEnv
): Promise<{wallMs: number; peakRssMb: number; bytes: number}> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ["--import", join(ROOT, "bench", "peakRss.mjs"), join(ROOT, "loaders", "site", "runLoader.mjs"), loader],
      {cwd: ROOT, env: {...process.env, ...env, PLUMBLINE_WORKSPACE: workspace}, stdio: ["ignore", "pipe", "pipe"]}
    );
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (bytes += d.length));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${loader} exited ${code}\n${stderr}`));
      const {peakRssMb} = JSON.parse(stderr.trim().split("\n").at(-1)!) as {peakRssMb: number};
      resolve({wallMs, peakRssMb, bytes});
    });
  });
}

export async function monitorBench(
  loader = "src/data/monitor.json.ts",
  env: NodeJS.ProcessEnv = {},
  workspace = join(OUT, "ws-monitor")
): Promise<MonitorFigures> {
  if (!existsSync(join(workspace, "plumbline.duckdb"))) {
    mkdirSync(workspace, {recursive: true});
    console.log(`generating ${fmt.int(MONITOR_TRACES)} traces in ${workspace}`);
    await writeMonitorTraffic(workspace, MONITOR_TRACES);
  }
  const rounds: {wallMs: number; peakRssMb: number}[] = [];
  let outputBytes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const run = await runLoader(workspace, loader, env);
    rounds.push({wallMs: run.wallMs, peakRssMb: run.peakRssMb});
    outputBytes = run.bytes;
  }
  const sorted = rounds.map((r) => r.wallMs).sort((a, b) => a - b);
  const figures: MonitorFigures = {
    traces: MONITOR_TRACES,
    rounds,
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    outputBytes
  };
  console.log(
    table([
      [`monitor data loader, ${fmt.int(MONITOR_TRACES)} traces`, "figure"],
      [`wall time (median of ${rounds.map((r) => fmt.ms(r.wallMs)).join(", ")})`, fmt.ms(figures.medianMs)],
      ["peak RSS of the loader's process (highest round)", fmt.mb(figures.peakRssMb)],
      ["page data written", `${fmt.int(outputBytes / 1000)} kB`]
    ])
  );
  return figures;
}
