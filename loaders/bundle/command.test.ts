import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {fileURLToPath, pathToFileURL} from "node:url";
import {captureIo} from "../fixtures/captureIo.js";
import {main, mainHelp} from "../cli/main.js";
import {SOURCE_WORKER, workerScript} from "../ingest/workerPool.js";
import {fitLensInThread, lensWorkerScript, SOURCE_LENS_WORKER} from "../clusters/lensThread.js";
import {DEFAULT_SEMANTIC_OPTIONS} from "../../src/core/clusters/semantic.js";
import {currentBuild, manifestPath, type BuildManifest} from "./currentBuild.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "plumbline.js");
// A private build folder, so the tests neither depend on nor disturb the project's dist-cli/; inside the project,
// as a build must be for its imports to resolve.
let buildDir = "";
const env = () => ({...process.env, PLUMBLINE_CLI_BUILD: buildDir, PLUMBLINE_DEV: ""});
const plumbline = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], {encoding: "utf8", env: env()});

before(() => {
  mkdirSync(join(ROOT, "node_modules", ".cache"), {recursive: true});
  buildDir = mkdtempSync(join(ROOT, "node_modules", ".cache", "plumbline-cli-test-"));
});
after(() => rmSync(buildDir, {recursive: true, force: true}));

test("the first run builds the command, with one line, and --help and a verb's --help print the usage from the build", async () => {
  const first = plumbline("--help");
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /^plumbline: building the command into .*plumbline-cli-test-.*\/ \(once\)\n$/);
  assert.equal(first.stdout, `${mainHelp()}\n`);
  const build = await currentBuild(ROOT, buildDir);
  assert.ok(build, "the first run left a current build");

  const fromSources = captureIo();
  assert.equal(await main(["ingest", "--help"], fromSources), 0);
  const verb = plumbline("ingest", "--help");
  assert.equal(verb.status, 0, verb.stderr);
  assert.equal(verb.stderr, "", "a current build is used as it is");
  assert.equal(verb.stdout, `${fromSources.stdout.join("\n")}\n`);
  assert.match(verb.stdout, /^Usage: plumbline ingest/);

  // Marks in the build (not in the sources) prove where each answer came from.
  const texts = JSON.parse(readFileSync(build.help, "utf8")) as {main: string; verbs: Record<string, string>};
  writeFileSync(
    build.help,
    JSON.stringify({
      main: `${texts.main}\nfrom the build`,
      verbs: {...texts.verbs, gate: `${texts.verbs.gate}\nfrom the build`}
    })
  );
  assert.match(plumbline("-h").stdout, /from the build\n$/);
  assert.match(plumbline("gate", "--suite", "x", "--help").stdout, /^Usage: plumbline gate[^]*from the build\n$/);
  assert.match(plumbline("help", "gate").stdout, /from the build\n$/);
  writeFileSync(build.main, `${readFileSync(build.main, "utf8")}\nprocess.stderr.write("main from the build\\n");\n`);
  const unknown = plumbline("frobnicate");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^main from the build\nunknown command: frobnicate/);
});

test("the ingest and lens workers run from the build while it is current, and the built lens worker fits as the sources do", async () => {
  const build = await currentBuild(ROOT, buildDir);
  assert.ok(build);
  assert.equal((await workerScript({PLUMBLINE_CLI_BUILD: buildDir})).href, pathToFileURL(build.worker).href);
  const lens = await lensWorkerScript({PLUMBLINE_CLI_BUILD: buildDir});
  assert.equal(lens.href, pathToFileURL(build.lensWorker).href);
  const tokens = Array.from({length: 30}, (_, i) =>
    [
      ["refund", "card"],
      ["flight", "seat"]
    ][i % 2]!.concat(`w${i % 4}`)
  );
  const task = {tokens, seed: 5, options: {...DEFAULT_SEMANTIC_OPTIONS, runs: 2}};
  assert.deepEqual(await fitLensInThread(task, lens), await fitLensInThread(task, SOURCE_LENS_WORKER));
});

test("a build older than its sources is rebuilt before the command runs, with one line, and not again", async () => {
  const manifest = JSON.parse(readFileSync(manifestPath(buildDir), "utf8")) as BuildManifest;
  // As if loaders/cli/main.ts had been edited since the build: its recorded size and the hash no longer match,
  // and the version built from the sources as they are (the marked one) does not exist yet.
  rmSync(join(buildDir, manifest.dir), {recursive: true, force: true});
  const stamps = manifest.stamps.map(([input, size, mtimeMs]) => [
    input,
    input === "loaders/cli/main.ts" ? size + 1 : size,
    mtimeMs
  ]);
  writeFileSync(manifestPath(buildDir), JSON.stringify({...manifest, hash: "0", stamps}));
  assert.equal(await currentBuild(ROOT, buildDir), null);
  assert.equal(
    await workerScript({PLUMBLINE_CLI_BUILD: buildDir}),
    SOURCE_WORKER,
    "stale, the workers run the sources"
  );
  assert.equal(await lensWorkerScript({PLUMBLINE_CLI_BUILD: buildDir}), SOURCE_LENS_WORKER);
  const rebuilt = plumbline("ingest", "--help");
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  assert.match(
    rebuilt.stderr,
    /^plumbline: sources changed since the command was built; rebuilding it into .*\/ \(once\)\n$/
  );
  assert.match(rebuilt.stdout, /^Usage: plumbline ingest/);
  const again = plumbline("--help");
  assert.equal(again.stderr, "");
  assert.doesNotMatch(again.stdout, /from the build/, "the rebuilt help comes from the sources again");
});

test("`plumbline ingest` from the build stores what the sources store", async (t) => {
  const input = join(ROOT, "data", "demo", "formats", "otlp", "trace.json");
  const built = mkdtempSync(join(tmpdir(), "plumbline-built-ingest-"));
  const sources = mkdtempSync(join(tmpdir(), "plumbline-source-ingest-"));
  t.after(() => {
    rmSync(built, {recursive: true, force: true});
    rmSync(sources, {recursive: true, force: true});
  });
  const result = plumbline("ingest", "--json", "--workspace", built, input);
  assert.equal(result.status, 0, result.stderr);
  const io = captureIo();
  assert.equal(await main(["ingest", "--json", "--workspace", sources, input], io), 0);
  const summary = (text: string) => (JSON.parse(text.slice(text.indexOf("{"))) as {added: unknown}).added;
  assert.deepEqual(summary(result.stdout), summary(io.stdout.join("\n")));
});
