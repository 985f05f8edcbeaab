#!/usr/bin/env node
// Runs every *.test.ts beside the code it proves, through Node's own test runner with tsx as the loader.
// Node 20's `--test` does not expand globs, so the files are found here. Arguments filter by path substring.
import {spawnSync} from "node:child_process";
import {readdirSync, statSync} from "node:fs";
import {join, relative} from "node:path";

const roots = ["src", "loaders", "scripts", "bench"];
const skip = new Set(["node_modules", ".observablehq", "dist"]);
const filters = process.argv.slice(2);

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
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], {
  stdio: "inherit",
  env: {...process.env, TZ: "UTC"}
});
process.exit(result.status ?? 1);
