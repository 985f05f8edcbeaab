/**
 * @module The command's start-up benchmark: `plumbline --help` and every verb's `--help` (from the command's own
 * verb table), each run from the build as a user runs it, N times in fresh processes, against `node -e 0` timed in
 * the same rounds. Rounds interleave the commands, so a machine whose load drifts slows them all alike, and the
 * ratio to bare Node is the figure to read. The sources through tsx (`PLUMBLINE_DEV=1`) are timed for comparison.
 */
import {spawnSync} from "node:child_process";
import {loadavg} from "node:os";
import {join} from "node:path";
import {verbNames} from "../loaders/cli/main.js";
import {ensureCommandBuilt, fmt, ROOT, table} from "./run.js";

const BIN = join(ROOT, "bin", "plumbline.js");

interface Row {
  name: string;
  medianMs: number;
  ratio: number;
}

export interface CliBench {
  runs: number;
  nodeMs: number;
  rows: Row[];
  /** The slowest command's ratio to `node -e 0`. */
  worstRatio: number;
  loadAverage: number;
}

function timed(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: {...process.env, ...env},
    stdio: ["ignore", "pipe", "pipe"]
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${result.status}\n${result.stderr.toString()}`);
  return ms;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function cliBench(runs = 15): Promise<CliBench> {
  ensureCommandBuilt();
  const commands: {name: string; args: string[]; env?: NodeJS.ProcessEnv; runs: number}[] = [
    {name: "node -e 0", args: ["-e", "0"], runs},
    {name: "plumbline --help", args: [BIN, "--help"], runs},
    ...verbNames().map((verb) => ({name: `plumbline ${verb} --help`, args: [BIN, verb, "--help"], runs})),
    // The same from the sources, fewer times: seconds each.
    {name: "sources: plumbline --help", args: [BIN, "--help"], env: {PLUMBLINE_DEV: "1"}, runs: 3},
    {name: "sources: plumbline ingest --help", args: [BIN, "ingest", "--help"], env: {PLUMBLINE_DEV: "1"}, runs: 3}
  ];
  const times = commands.map(() => [] as number[]);
  const load = loadavg()[0]!;
  for (let round = 0; round < runs; round++) {
    commands.forEach((command, i) => {
      if (round < command.runs) times[i]!.push(timed(command.args, command.env));
    });
  }
  const nodeMs = median(times[0]!);
  const rows = commands.map((command, i) => ({
    name: command.name,
    medianMs: median(times[i]!),
    ratio: median(times[i]!) / nodeMs
  }));
  const built = rows.slice(1, -2);
  const worstRatio = Math.max(...built.map((row) => row.ratio));
  const loadAverage = Math.max(load, loadavg()[0]!);
  console.log(
    table([
      ["command", `median of ${runs} (ms)`, "× node -e 0"],
      ...rows.map((row, i) => [
        `${row.name}${i >= rows.length - 2 ? ` (${commands[i]!.runs} runs)` : ""}`,
        fmt.int(row.medianMs),
        fmt.ratio(row.ratio)
      ])
    ])
  );
  console.log(
    `slowest built command: ${fmt.ratio(worstRatio)} of node -e 0; load average ${loadAverage.toFixed(1)} on this machine during the run`
  );
  return {runs, nodeMs, rows, worstRatio, loadAverage};
}
