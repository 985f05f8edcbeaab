/**
 * @module The test suite's benchmark: `npm test` on a fresh clone of this commit against a fresh clone of an earlier
 * one (`--suite-baseline REF`), one after the other in the same run, and today's tests that stand for the earlier
 * commit's (the same coverage; see suiteCoverage.ts) with the same checks. Each clone gets `npm ci` (timed apart)
 * and a temporary folder of its own, removed at the end with whatever the suites left in it. It measures the
 * commit, not uncommitted changes, and takes about twenty minutes: it is not part of the default run.
 */
import {spawn, spawnSync} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from "node:fs";
import {loadavg, tmpdir} from "node:os";
import {join} from "node:path";
import {fmt, ROOT, table} from "./run.js";
import {sameCoverage} from "./suiteCoverage.js";

const TIME = "/usr/bin/time";

interface Timed {
  wallMs: number;
  /** User + system CPU of the command and its children, when /usr/bin/time is there to measure it. */
  cpuS: number | null;
  tests: number | null;
  ok: boolean;
}

export interface SuiteBench {
  baseline: string;
  commit: string;
  rows: {name: string; tests: number | null; wallMs: number; cpuS: number | null; ratio: number}[];
  installMs: {baseline: number; commit: number};
  followed: {from: string; to: string[]; how: string}[];
  lost: string[];
  loadAverage: number;
}

function git(args: string[], cwd = ROOT): string {
  const result = spawnSync("git", args, {cwd, encoding: "utf8", maxBuffer: 64 * 2 ** 20});
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} exited ${result.status}\n${result.stderr}`);
  return result.stdout.trim();
}

/** Runs `command` in `cwd`; its output is kept only to count its tests and to show when it fails. */
function timed(command: string[], cwd: string, env: NodeJS.ProcessEnv, cpuFile: string): Promise<Timed> {
  const measured = existsSync(TIME) ? [TIME, "-f", "%U %S", "-o", cpuFile, ...command] : command;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(measured[0]!, measured.slice(1), {cwd, env, stdio: ["ignore", "pipe", "pipe"]});
    let output = "";
    const keep = (data: Buffer) => void (output = (output + data).slice(-200_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      const cpu = existsSync(cpuFile) ? readFileSync(cpuFile, "utf8").trim().split("\n").at(-1)!.split(" ") : null;
      // Today's runner prints "# tests N, pass …"; the earlier one printed TAP's "# tests N".
      const tests = /^# tests (\d+)/m.exec(output)?.[1];
      if (code !== 0) console.log(`${command.join(" ")} in ${cwd} exited ${code}:\n${output.slice(-4000)}`);
      resolve({
        wallMs,
        cpuS: cpu ? Number(cpu[0]) + Number(cpu[1]) : null,
        tests: tests ? Number(tests) : null,
        ok: code === 0
      });
    });
  });
}

/** A fresh clone of this repository at `ref` in `dir`, its dependencies installed as CI installs them. */
async function freshClone(ref: string, dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  git(["clone", "--quiet", ROOT, dir]);
  git(["checkout", "--quiet", ref], dir);
  const install = await timed(["npm", "ci", "--no-audit", "--no-fund"], dir, env, join(dir, "..", "install.cpu"));
  if (!install.ok) throw new Error(`npm ci failed in the clone of ${ref}`);
  return install.wallMs;
}

export async function suiteBench(baseline: string | undefined): Promise<SuiteBench | null> {
  if (!baseline) {
    console.log("the suite benchmark needs --suite-baseline REF: the earlier commit whose suite to time against");
    return null;
  }
  const commit = git(["rev-parse", "HEAD"]);
  const base = git(["rev-parse", baseline]);
  if (git(["status", "--porcelain"])) console.log(`uncommitted changes are not measured: this times ${commit}`);
  const testFiles = (ref: string) =>
    git(["ls-tree", "-r", "--name-only", ref])
      .split("\n")
      .filter((f) => f.endsWith(".test.ts"));
  const coverage = sameCoverage(
    testFiles(base),
    git(["diff", "--name-status", "-M20%", base, commit, "--", "*.test.ts"]),
    testFiles(commit)
  );

  const root = mkdtempSync(join(tmpdir(), "plumbline-suite-bench-"));
  try {
    const envFor = (name: string): NodeJS.ProcessEnv => {
      const temp = join(root, `tmp-${name}`);
      mkdirSync(temp, {recursive: true});
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PLUMBLINE_")));
      return {...env, TMPDIR: temp, CI: "1"};
    };
    const baseDir = join(root, "baseline");
    const commitDir = join(root, "commit");
    const installMs = {
      baseline: await freshClone(base, baseDir, envFor("baseline")),
      commit: await freshClone(commit, commitDir, envFor("commit"))
    };
    console.log(`npm ci: ${fmt.ms(installMs.baseline)} (baseline), ${fmt.ms(installMs.commit)} (this commit)`);
    const runs: [string, string[], string, string][] = [
      [`${baseline} (npm test)`, ["npm", "test"], baseDir, "baseline"],
      ["this commit (npm test)", ["npm", "test"], commitDir, "commit"],
      [
        `this commit, ${baseline}'s coverage (${coverage.files.length} files, with the checks)`,
        [process.execPath, "scripts/test.mjs", "--checks", ...coverage.files],
        commitDir,
        "same"
      ]
    ];
    const results: Timed[] = [];
    for (const [name, command, cwd, tag] of runs) {
      console.log(`running ${name}…`);
      const result = await timed(command, cwd, envFor(tag), join(root, `${tag}.cpu`));
      if (!result.ok) throw new Error(`${name} failed`);
      results.push(result);
    }
    const baseWall = results[0]!.wallMs;
    const rows = runs.map(([name], i) => ({
      name,
      tests: results[i]!.tests,
      wallMs: results[i]!.wallMs,
      cpuS: results[i]!.cpuS,
      ratio: results[i]!.wallMs / baseWall
    }));
    console.log(
      table([
        ["suite", "tests", "wall", "CPU", `÷ ${baseline}`],
        ...rows.map((r) => [
          r.name,
          r.tests === null ? "?" : fmt.int(r.tests),
          fmt.ms(r.wallMs),
          r.cpuS === null ? "—" : `${r.cpuS.toFixed(1)} s`,
          fmt.ratio(r.ratio)
        ])
      ])
    );
    for (const {from, to, how} of coverage.followed) console.log(`  ${from} → ${to.join(", ")} (${how})`);
    if (coverage.lost.length) console.log(`  no test file today stands for: ${coverage.lost.join(", ")}`);
    return {
      baseline,
      commit,
      rows,
      installMs,
      followed: coverage.followed,
      lost: coverage.lost,
      loadAverage: loadavg()[0]!
    };
  } finally {
    rmSync(root, {recursive: true, force: true, maxRetries: 3});
  }
}
