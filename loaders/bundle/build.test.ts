import assert from "node:assert/strict";
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {pathToFileURL} from "node:url";
import {buildCommand, buildFailure, dataLoaderEntries} from "./build.mjs";
import {currentBuild, PROJECT_ROOT_KEY, setProjectRoot} from "./currentBuild.mjs";

/** A project of two modules in a temp folder, removed when the test ends. */
function project(t: {after(fn: () => void): void}) {
  const root = mkdtempSync(join(tmpdir(), "plumbline-build-"));
  t.after(() => rmSync(root, {recursive: true, force: true}));
  writeFileSync(
    join(root, "entry.ts"),
    `import {word} from "./dep.ts";\nexport const said: string = word;\nexport const here: string = import.meta.url;\n`
  );
  writeFileSync(join(root, "dep.ts"), `export const word = "first";\n`);
  return {root, buildDir: join(root, "build"), entries: {main: "entry.ts"}, help: false};
}

test("a build stays current while its sources do, also when one is touched unchanged, and is stale once one changes", async (t) => {
  const options = project(t);
  const dir = await buildCommand(options);
  const build = await currentBuild(options.root, options.buildDir);
  assert.equal(build?.dir, dir);
  assert.equal(((await import(pathToFileURL(build.main).href)) as {said: string}).said, "first");
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(options.root, "dep.ts"), later, later);
  assert.equal(
    (await currentBuild(options.root, options.buildDir))?.dir,
    dir,
    "a new time with the same contents is still current"
  );
  const manifest = JSON.parse(readFileSync(join(options.buildDir, "manifest.json"), "utf8")) as {
    stamps: [string, number, number][];
  };
  assert.ok(
    manifest.stamps.some(
      ([input, , mtimeMs]) => input === "dep.ts" && mtimeMs === statSync(join(options.root, "dep.ts")).mtimeMs
    ),
    "the new time is remembered"
  );
  writeFileSync(join(options.root, "dep.ts"), `export const word = "other";\n`);
  assert.equal(await currentBuild(options.root, options.buildDir), null, "a changed source makes it stale");
  const rebuilt = await buildCommand(options);
  assert.notEqual(rebuilt, dir);
  const fresh = await currentBuild(options.root, options.buildDir);
  assert.equal(((await import(pathToFileURL(fresh!.main).href)) as {said: string}).said, "other");
  rmSync(join(options.root, "dep.ts"));
  assert.equal(await currentBuild(options.root, options.buildDir), null, "a missing source makes it stale");
});

test("built code sees its source's own module URL, in the project its launcher names, so a copy finds its own files", async (t) => {
  const options = project(t);
  await buildCommand(options);
  const build = await currentBuild(options.root, options.buildDir);
  const loaded = (await import(pathToFileURL(build!.main).href)) as {here: string};
  assert.equal(loaded.here, pathToFileURL(join(options.root, "entry.ts")).href);

  // A second file of the same code: a module is evaluated once per URL.
  const again = join(build!.dir, "again.js");
  copyFileSync(build!.main, again);
  const copy = join(options.root, "copy");
  setProjectRoot(copy);
  try {
    const moved = (await import(pathToFileURL(again).href)) as {here: string};
    assert.equal(moved.here, pathToFileURL(join(copy, "entry.ts")).href);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for(PROJECT_ROOT_KEY)];
  }
});

test("the pages' and the notebooks' data loaders are entries of the build, and nothing else under their folders is", (t) => {
  const options = project(t);
  mkdirSync(join(options.root, "src", "data"), {recursive: true});
  mkdirSync(join(options.root, "src", "notebooks", "data"), {recursive: true});
  for (const name of ["summary.json.ts", "traces.arrow.ts", "summary.test.ts", "types.d.ts", "notes.md"])
    writeFileSync(join(options.root, "src", "data", name), "");
  for (const name of ["verdicts.arrow.ts", "verdicts.test.ts"])
    writeFileSync(join(options.root, "src", "notebooks", "data", name), "");
  writeFileSync(join(options.root, "src", "notebooks", "weekly.md"), "");
  assert.deepEqual(dataLoaderEntries(options.root), {
    "data/summary.json": "src/data/summary.json.ts",
    "data/traces.arrow": "src/data/traces.arrow.ts",
    "notebooks/data/verdicts.arrow": "src/notebooks/data/verdicts.arrow.ts"
  });
  assert.deepEqual(dataLoaderEntries(join(options.root, "none")), {});
});

test("sources that do not build fail with the file and line, and leave the previous build in place", async (t) => {
  const options = project(t);
  const dir = await buildCommand(options);
  writeFileSync(join(options.root, "dep.ts"), `export const word = ;\n`);
  const failure = await buildCommand(options).then(
    () => null,
    (error: unknown) => buildFailure(error)
  );
  assert.match(failure ?? "", /^dep\.ts:1: /);
  writeFileSync(join(options.root, "dep.ts"), `export const word = "first";\n`);
  assert.equal((await currentBuild(options.root, options.buildDir))?.dir, dir);
});
