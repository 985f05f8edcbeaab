import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, test} from "node:test";
import {pathToFileURL} from "node:url";
import {bundled, type BundleOptions} from "./bundle.js";
import {currentBundle} from "./currentBundle.mjs";
import {tempDir} from "../fixtures/tempDir.js";

function project(): BundleOptions {
  const root = tempDir("bundle");
  writeFileSync(join(root, "entry.ts"), `import {word} from "./dep.ts";\nexport const said: string = word;\nexport const here: string = import.meta.url;\n`);
  writeFileSync(join(root, "dep.ts"), `export const word = "first";\n`);
  return {root, entry: "entry.ts", cacheDir: join(root, "cache"), name: "w"};
}

test("a bundle is built once, reused while its sources stay the same, and rebuilt when one changes", async () => {
  const options = project();
  const first = await bundled(options);
  assert.ok(first);
  assert.match(readFileSync(first, "utf8"), /"first"/);
  assert.equal(currentBundle(options.root, options.cacheDir, options.name), first, "unchanged sources find the bundle");
  writeFileSync(join(options.root, "dep.ts"), `export const word = "second";\n`);
  assert.equal(currentBundle(options.root, options.cacheDir, options.name), null, "a changed source makes it stale");
  const rebuilt = await bundled(options);
  assert.ok(rebuilt && rebuilt !== first);
  const loaded = (await import(pathToFileURL(rebuilt).href)) as {said: string; here: string};
  assert.equal(loaded.said, "second");
});

test("bundled code sees its source's own module URL, so it finds files beside its source", async () => {
  const options = project();
  const entry = await bundled(options);
  const loaded = (await import(pathToFileURL(entry!).href)) as {here: string};
  assert.equal(loaded.here, pathToFileURL(join(options.root, "entry.ts")).href);
});

test("sources that do not build give no bundle, and callers run the sources instead", async () => {
  const options = project();
  writeFileSync(join(options.root, "dep.ts"), `export const word = ;\n`);
  assert.equal(await bundled(options), null);
});

test("`plumbline ingest` builds the command's bundle on its first run and runs from it afterwards, alike", async () => {
  const {spawnSync} = await import("node:child_process");
  const {COMMAND, PROJECT_ROOT} = await import("./bundle.js");
  const {rmSync} = await import("node:fs");
  // A private cache, so the test neither depends on nor disturbs the project's; inside the project, as a bundle
  // must be to resolve its dependencies.
  const {mkdirSync} = await import("node:fs");
  mkdirSync(join(PROJECT_ROOT, "node_modules", ".cache"), {recursive: true});
  const cacheDir = mkdtempSync(join(PROJECT_ROOT, "node_modules", ".cache", "plumbline-test-"));
  after(() => rmSync(cacheDir, {recursive: true, force: true}));
  const input = join(PROJECT_ROOT, "data", "demo", "formats", "otlp", "trace.json");
  let lastStderr = "";
  const run = () => {
    const workspace = tempDir("bundled-ingest");
    const result = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin", "plumbline.js"), "ingest", "--json", "--workspace", workspace, input], {
      encoding: "utf8",
      env: {...process.env, PLUMBLINE_CACHE_DIR: cacheDir}
    });
    rmSync(workspace, {recursive: true, force: true});
    assert.equal(result.status, 0, result.stderr);
    lastStderr = result.stderr;
    const summary = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as {added: unknown};
    return summary.added;
  };
  assert.equal(currentBundle(PROJECT_ROOT, cacheDir, COMMAND.name), null);
  const fromSources = run();
  const bundle = currentBundle(PROJECT_ROOT, cacheDir, COMMAND.name);
  assert.ok(bundle, "the first run left a bundle");
  // A mark in the bundle (not in the sources) proves which one the second run came from.
  writeFileSync(bundle, readFileSync(bundle, "utf8") + `\nprocess.stderr.write("ran from the bundle\\n");\n`);
  assert.deepEqual(run(), fromSources);
  assert.match(lastStderr, /ran from the bundle/);
});
