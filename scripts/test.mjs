#!/usr/bin/env node
// Runs every *.test.ts beside the code it proves, through Node's own test runner with tsx as the loader.
// Node 20's `--test` does not expand globs, so the files are found here. Arguments filter by path substring.
//
// Files run in two groups. Most tests use only their own temporary folders and ports chosen by the system, so they
// run two files at a time. The page tests run one file at a time, after them: they drive Chromium, share one built
// site (loaders/fixtures/fixtureSite.ts), and some serve the repository's own pages through Framework's preview,
// whose loader cache under src/.observablehq is cleared by every command that writes a workspace.
//
// The run gets a temporary folder of its own (TMPDIR for every test) and fails if a test leaves anything in it.
import {spawnSync} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync} from "node:fs";
import {tmpdir, userInfo} from "node:os";
import {join, relative} from "node:path";

const roots = ["src", "loaders", "scripts", "bench"];
const skip = new Set(["node_modules", ".observablehq", "dist"]);
const filters = process.argv.slice(2);
const serial = [/^loaders\/browser\//, /^loaders\/server\/(startToken|pages)\.test\.ts$/];
const concurrency = Number(process.env.PLUMBLINE_TEST_CONCURRENCY ?? 2);

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
    else if (entry.endsWith(".test.ts")) yield relative(process.cwd(), path);
  }
}

const files = roots.flatMap((root) => [...walk(root)]).filter((f) => !filters.length || filters.some((s) => f.includes(s)));
if (!files.length) {
  console.error(`no test files match ${filters.join(", ")}`);
  process.exit(1);
}
const isSerial = (file) => serial.some((pattern) => pattern.test(file.split("\\").join("/")));
const groups = [
  {name: `${concurrency} files at a time`, files: files.filter((f) => !isSerial(f)), concurrency},
  {name: "page tests, one file at a time", files: files.filter(isSerial), concurrency: 1}
].filter((group) => group.files.length);

const systemTemp = tmpdir();
const runDir = mkdtempSync(join(systemTemp, "plumbline-test-run-"));
const runTemp = join(runDir, "tmp");
mkdirSync(runTemp);
// tsx keeps its compile cache in the temp folder; sharing the system's keeps repeated runs fast.
const tsxCache = `tsx-${userInfo().uid}`;
mkdirSync(join(systemTemp, tsxCache), {recursive: true});
symlinkSync(join(systemTemp, tsxCache), join(runTemp, tsxCache), "dir");

let status = 0;
const timings = [];
try {
  for (const group of groups) {
    const start = performance.now();
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${group.concurrency}`, ...group.files],
      {stdio: "inherit", env: {...process.env, TZ: "UTC", TMPDIR: runTemp, PLUMBLINE_TEST_RUN_DIR: runDir}}
    );
    timings.push(`# ${group.name}: ${group.files.length} files in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    if (result.status !== 0) status = result.status ?? 1;
  }
  console.log(timings.join("\n"));
  const leftovers = readdirSync(runTemp).filter((name) => name !== tsxCache);
  if (leftovers.length) {
    console.error(`# the tests left ${leftovers.length} entries in the temporary folder (remove them in after/t.after, or use loaders/fixtures/tempDir.ts):`);
    for (const name of leftovers) console.error(`#   ${name}`);
    if (status === 0) status = 1;
  }
} finally {
  if (existsSync(runDir)) rmSync(runDir, {recursive: true, force: true, maxRetries: 3});
}
process.exit(status);
