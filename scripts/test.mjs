#!/usr/bin/env node
// Runs every *.test.ts beside the code it proves with Node's test runner (tsx as the loader): each folder's files
// in one Node process, each page test and preview test in a process of its own (see "one folder to a process"
// below), and, in a full run, the type checks and Prettier's check beside them. Node 20's `--test` does not
// expand globs, so the files are found here. Arguments filter by path substring; --help says more.
//
// Processes run several at a time, the slowest first: each run keeps every one's time (under node_modules/.cache),
// and the next one starts the long ones early so that no long one is left to run alone at the end. Most tests
// use only their own temporary folders and ports chosen by the system, and the page tests share one built site
// (loaders/fixtures/fixtureSite.ts: the first file that asks builds it, the others wait for it). The files that serve
// the repository's own pages through Framework's preview (`plumbline start`, or `startServer` with its page server),
// each on a workspace of its own, share the preview's one loader cache under src/.observablehq, kept for the
// workspace it last served: they run one at a time (two at once served each other's data, and failed),
// alongside the others (whose commands leave that cache alone, since they change other workspaces).
//
// The run gets a temporary folder of its own (TMPDIR for every test) and fails if a test leaves anything in it.
import {spawn} from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs";
import {availableParallelism, tmpdir, userInfo} from "node:os";
import {dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";
import {buildCommand, buildFailure} from "../loaders/bundle/build.mjs";
import {buildDirOf, currentBuild} from "../loaders/bundle/currentBuild.mjs";
import {CHROMIUM_ARGS, CHROMIUM_PATH, SHARED_CHROMIUM_ENV} from "../loaders/browser/chromiumLaunch.mjs";

const listOnly = process.argv.includes("--list");
const FLAGS = new Set(["--list", "--save-times", "--checks"]);
const args = process.argv.slice(2).filter((arg) => !FLAGS.has(arg));
if (args.includes("--help") || args.includes("-h")) {
  console.log(`Usage: node scripts/test.mjs [--list] [--save-times] [--checks] [path-substring...]

Runs the test files whose path contains any of the substrings (by default all of them, with the type checks and
Prettier's check): each folder's files in one process (the longest folder's in parts), each page test and
preview test in one of its own; several processes at a time, the slowest first, and of those that serve the
repository's own pages, one at a time. A process's output is printed when it fails; every process's time is
printed at the end and kept for the next run's order.

  --list         print the processes in the order they would start (slowest first), with their last times, and stop
  --save-times   after a full run that passed, keep its times in scripts/testTimes.json, the order of a fresh clone
  --checks       run the type checks and Prettier's check also when path substrings choose the tests

Environment:
  PLUMBLINE_TEST_CONCURRENCY   processes at a time (default: one more than the number of cores)
  PLUMBLINE_TEST_VERBOSE=1     print every process's output, not only the failures'`);
  process.exit(0);
}

const roots = ["src", "loaders", "scripts", "bench"];
const skip = new Set(["node_modules", ".observablehq", "dist"]);
// The tests that serve them through `plumbline start`; those that call `startServer` are found below.
const oneAtATime = [/^loaders\/browser\/quickstart\.test\.ts$/, /^loaders\/server\/startToken\.test\.ts$/];
// One more process than cores: page tests spend part of their time waiting on Chromium and servers.
const concurrency = Number(process.env.PLUMBLINE_TEST_CONCURRENCY ?? availableParallelism() + 1);
const verbose = process.env.PLUMBLINE_TEST_VERBOSE === "1";
const timesFile = join("node_modules", ".cache", "plumbline", "test-times.json");
const keptTimesFile = join("scripts", "testTimes.json");
const saveTimes = process.argv.includes("--save-times");

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (skip.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (entry.endsWith(".test.ts")) yield relative(process.cwd(), path).split("\\").join("/");
  }
}

const files = roots.flatMap((root) => [...walk(root)]).filter((f) => !args.length || args.some((s) => f.includes(s)));
if (!files.length) {
  console.error(`no test files match ${args.join(", ")}`);
  process.exit(1);
}

// Any other test that starts the server with its page server (a `startServer` call without `pages: false`) serves
// them too: found here rather than listed, so that a new one cannot run beside the others and share their cache.
// Read once per file: the scheduler asks again each time a process ends.
const previews = new Map();
const startsPages = (file) =>
  file.endsWith(".test.ts") &&
  [...readFileSync(file, "utf8").matchAll(/startServer\(\{([\s\S]*?)\}\)/g)].some(
    ([, args]) => !/pages:\s*false/.test(args)
  );
const isPreview = (file) => {
  if (!previews.has(file)) previews.set(file, oneAtATime.some((pattern) => pattern.test(file)) || startsPages(file));
  return previews.get(file);
};

// Files run one folder to a process (see scripts/testBatch.mjs): `src/core/`, `loaders/<stage>/` and the other
// roots each in one Node process, since starting Node and the TypeScript loader and importing DuckDB, zod and
// the OpenAI client again for each file cost more than most files' tests (0.8 s of CPU a file). No test changes
// the process's environment, working folder or global handlers, which keeps this safe (scripts/sharedProcess.test.ts
// checks it).
// The page tests and the preview tests keep a process each: each one builds or serves a site and drives
// Chromium, and runs long enough to be scheduled on its own; so do the fuzz tests (`*.fuzz.test.ts`), which
// would make their folder the run's longest process. A folder is timed as one, under its name.
// A folder whose files together would be the run's longest process, which nothing else can shorten, is split:
// the files of each part below run in a process of their own, named by the part, and its other files in the
// folder's. loaders/cli/'s end-to-end tests took 400 s of one process, the longest by far.
const PARTS = new Map([
  [
    "loaders/cli/ (experiments)",
    [
      "loaders/cli/experimentCommand.test.ts",
      "loaders/cli/experimentReview.test.ts",
      "loaders/cli/experimentGate.test.ts"
    ]
  ],
  ["loaders/cli/ (gate, generate)", ["loaders/cli/gateCommand.test.ts", "loaders/cli/generateCommand.test.ts"]]
]);
const partOf = new Map([...PARTS].flatMap(([part, partFiles]) => partFiles.map((file) => [file, part])));
const drivesChromium = (file) => file.startsWith("loaders/browser/") || isPreview(file);
const ownProcess = (file) => drivesChromium(file) || file.endsWith(".fuzz.test.ts");
const unitOf = (file) => {
  if (ownProcess(file)) return file;
  if (partOf.has(file)) return partOf.get(file);
  const parts = file.split("/");
  return `${parts.slice(0, parts[0] === "scripts" || parts[0] === "bench" ? 1 : 2).join("/")}/`;
};
const members = new Map();
for (const file of files) members.set(unitOf(file), [...(members.get(unitOf(file)) ?? []), file]);

/**
 * The static checks `npm test` makes, run in a full run as processes beside the tests, ordered by their times like
 * the rest, rather than before them: they take 40 s of CPU on one core or a little more, which the tests overlap.
 */
const bin = (name) => join("node_modules", ".bin", name);
const CHECKS = new Map([
  ["tsc -p tsconfig.json", [bin("tsc"), "--noEmit", "-p", "tsconfig.json"]],
  ["tsc -p tsconfig.core.json", [bin("tsc"), "--noEmit", "-p", "tsconfig.core.json"]],
  // Prettier keeps what it checked under node_modules/.cache/prettier, by content: a file unchanged since a run that
  // passed is not formatted again (17 s of CPU for the whole tree; a fresh clone checks everything).
  [
    "prettier --check .",
    [bin("prettier"), "--check", ".", "--cache", "--cache-strategy", "content", "--log-level", "warn"]
  ]
]);
// The times of this machine's last runs; a fresh clone has none and starts from the times kept in the repository
// (scripts/testTimes.json: a full run on a 2-core machine, written by --save-times), which put the longest
// folders (ingest, cli) first rather than behind a dozen page tests.
const readTimes = (path) => {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return {};
  }
};
const known = {...readTimes(keptTimesFile), ...readTimes(timesFile)};
// A unit never timed (a test file added since) is ranked by a guess: the page tests and the preview tests
// first, then the others by size, a folder by the size of all its files. Of the page tests that share the
// fixture site, one starts early and builds it; the others would only wait for it in a slot of their own, so
// they are ranked by size with the rest.
const sharesSite = files.filter(
  (f) => f.startsWith("loaders/browser/") && /[fF]ixtureSite\(/.test(readFileSync(f, "utf8"))
);
const slowByNature = (unit) =>
  (unit.startsWith("loaders/browser/") && !sharesSite.slice(1).includes(unit)) || isPreview(unit);
const bytes = (unit) => (CHECKS.has(unit) ? 20_000 : members.get(unit).reduce((n, f) => n + statSync(f).size, 0));
// A part of a split folder never timed (the folder was split since) takes an equal share of the folder's time.
const folderOf = (part) => `${dirname(PARTS.get(part)[0])}/`;
const shareOfFolder = (part) =>
  known[folderOf(part)] / ([...PARTS.keys()].filter((p) => folderOf(p) === folderOf(part)).length + 1);
const expected = (unit) =>
  known[unit] ??
  (PARTS.has(unit) && known[folderOf(unit)] !== undefined ? shareOfFolder(unit) : undefined) ??
  (slowByNature(unit) ? 1_000_000 : 0) + bytes(unit);
const bySlowest = (a, b) => expected(b) - expected(a) || a.localeCompare(b);
const checks = args.length && !process.argv.includes("--checks") ? [] : [...CHECKS.keys()];
for (const check of checks) members.set(check, []);
const queue = [...members.keys()].sort(bySlowest);
if (listOnly) {
  for (const file of queue)
    console.log(`${known[file] === undefined ? "(not timed yet)" : `${(known[file] / 1000).toFixed(1)} s`}\t${file}`);
  process.exit(0);
}

// The pages' data loaders run from the command's build when it is current (loaders/site/runLoader.mjs), so the
// tests run what `plumbline` runs: a build older than its sources is rebuilt first, as `plumbline` itself would.
const projectRoot = fileURLToPath(new URL("..", import.meta.url));
if (!(await currentBuild(projectRoot, buildDirOf(projectRoot)))) {
  try {
    const dir = await buildCommand({root: projectRoot, buildDir: buildDirOf(projectRoot)});
    console.log(
      `# built the command into ${relative(projectRoot, dir)}/ first: its sources changed since the last build`
    );
  } catch (error) {
    console.log(`# could not build the command (${buildFailure(error)}); the data loaders run through tsx`);
  }
}

const systemTemp = tmpdir();
const runDir = mkdtempSync(join(systemTemp, "plumbline-test-run-"));
const runTemp = join(runDir, "tmp");
mkdirSync(runTemp);
// tsx keeps its compile cache in the temp folder; sharing the system's keeps repeated runs fast.
const tsxCache = `tsx-${userInfo().uid}`;
mkdirSync(join(systemTemp, tsxCache), {recursive: true});
symlinkSync(join(systemTemp, tsxCache), join(runTemp, tsxCache), "dir");
const env = {...process.env, TZ: "UTC", TMPDIR: runTemp, PLUMBLINE_TEST_RUN_DIR: runDir};

/**
 * One Chromium for the run's page tests, each of which connects to it (loaders/browser/chromium.ts) rather than
 * starting its own: a start costs 1.3 s of CPU, and a dozen files would start one. Without it (no Chromium at
 * PLUMBLINE_CHROMIUM), each file starts its own and says what is missing.
 */
async function startSharedChromium() {
  if (!queue.some(drivesChromium)) return null;
  try {
    const {chromium} = await import("playwright-core");
    const server = await chromium.launchServer({executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS]});
    env[SHARED_CHROMIUM_ENV] = server.wsEndpoint();
    return server;
  } catch (error) {
    console.log(`# could not start a shared Chromium (${String(error).split("\n")[0]}); each page test starts its own`);
    return null;
  }
}

/** Runs one file; resolves with its status, time, output and the counts its reporter printed. */
function runFile(file) {
  const start = performance.now();
  return new Promise((resolve) => {
    const batch = members.get(file);
    const scripts = batch.length === 1 && batch[0] === file ? [file] : ["scripts/testBatch.mjs", ...batch];
    const [command, ...commandArgs] = CHECKS.get(file) ?? [
      process.execPath,
      "--import",
      "tsx",
      "--test-reporter=spec",
      ...scripts
    ];
    const child = spawn(command, commandArgs, {env, stdio: ["ignore", "pipe", "pipe"]});
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    child.on("close", (code, signal) => {
      const output = Buffer.concat(chunks).toString("utf8");
      const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(output)?.[1] ?? 0);
      resolve({
        file,
        ok: code === 0,
        code: code ?? signal,
        ms: performance.now() - start,
        output,
        pass: count("pass"),
        fail: count("fail"),
        skipped: count("skipped")
      });
    });
  });
}

/** Runs the queue with `concurrency` workers; a worker skips a preview file while another one runs. */
async function runAll(results) {
  let previewRunning = false;
  let previewDone = null;
  const worker = async () => {
    for (;;) {
      const at = queue.findIndex((file) => !(previewRunning && isPreview(file)));
      if (at === -1) {
        if (!queue.length) return;
        await previewDone;
        continue;
      }
      const [file] = queue.splice(at, 1);
      let release = () => {};
      if (isPreview(file)) {
        previewRunning = true;
        previewDone = new Promise((resolve) => (release = () => ((previewRunning = false), resolve())));
      }
      const result = await runFile(file);
      release();
      results.push(result);
      const mark = result.ok ? "✔" : "✖";
      const count = members.get(file).length;
      const name = count > 1 ? `${file} (${count} files in one process)` : file;
      const tally = CHECKS.has(file) ? "" : `, ${result.pass} passed${result.fail ? `, ${result.fail} failed` : ""}`;
      console.log(`${mark} ${name} (${(result.ms / 1000).toFixed(1)} s${tally})`);
      if (!result.ok || verbose) console.log(result.output.trimEnd().replace(/^/gm, "    "));
    }
  };
  await Promise.all(Array.from({length: Math.min(concurrency, queue.length)}, worker));
}

let status = 0;
const results = [];
try {
  const started = performance.now();
  const sharedChromium = await startSharedChromium();
  await runAll(results).finally(() => sharedChromium?.close());
  const failed = results.filter((r) => !r.ok);
  const sum = (key) => results.reduce((n, r) => n + r[key], 0);
  console.log(
    `\n# tests ${sum("pass") + sum("fail")}, pass ${sum("pass")}, fail ${sum("fail")}, skipped ${sum("skipped")}`
  );
  console.log(
    `# ${files.length} files in ${results.length} process${results.length === 1 ? "" : "es"}, ${concurrency} at a time, in ${((performance.now() - started) / 1000).toFixed(1)} s; the slowest:`
  );
  for (const r of [...results].sort((a, b) => b.ms - a.ms).slice(0, 8))
    console.log(`#   ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.file}`);
  if (failed.length) {
    status = 1;
    console.log(`# failed: ${failed.map((r) => `${r.file} (exit ${r.code})`).join(", ")}`);
  }
  mkdirSync(dirname(timesFile), {recursive: true});
  writeFileSync(
    timesFile,
    JSON.stringify({...known, ...Object.fromEntries(results.map((r) => [r.file, Math.round(r.ms)]))}, null, 1)
  );
  if (saveTimes && !failed.length && !args.length) {
    const times = Object.fromEntries(results.map((r) => [r.file, Math.round(r.ms / 100) * 100]).sort());
    writeFileSync(keptTimesFile, `${JSON.stringify(times, null, 2)}\n`);
  }
  const leftovers = readdirSync(runTemp).filter((name) => name !== tsxCache);
  if (leftovers.length) {
    console.error(
      `# the tests left ${leftovers.length} entries in the temporary folder (remove them in after/t.after, or use loaders/fixtures/tempDir.ts):`
    );
    for (const name of leftovers) console.error(`#   ${name}`);
    status = 1;
  }
} finally {
  if (existsSync(runDir)) rmSync(runDir, {recursive: true, force: true, maxRetries: 3});
}
process.exit(status);
