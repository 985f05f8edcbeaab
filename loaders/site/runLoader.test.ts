// The pages' data loaders run from the command's build while it is current, and from their TypeScript sources
// otherwise, with the same output; built, they find the files of the project they run in.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {appendFileSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {buildCommand} from "../bundle/build.mjs";
import {buildDirOf, builtDataLoader, currentBuild, type Build} from "../bundle/currentBuild.mjs";
import {copyProject} from "../browser/buildSite.js";
import {demoWorkspace} from "../fixtures/demoWorkspace.js";

describe("a data loader", {timeout: 120_000}, () => {
  let project = "";
  let build: Build;
  let workspace = "";
  const run = (env: Record<string, string> = {}, loader = "src/data/summary.json.ts") =>
    spawnSync(process.execPath, ["loaders/site/runLoader.mjs", loader], {
      cwd: project,
      encoding: "utf8",
      env: {...process.env, PLUMBLINE_DEV: "", PLUMBLINE_CLI_BUILD: "", PLUMBLINE_WORKSPACE: workspace, ...env}
    });

  before(async () => {
    ({workspace} = await demoWorkspace());
    project = copyProject();
    // The copy carries the project's build when that is current; a test run on edited sources builds its own.
    const buildDir = buildDirOf(project, {});
    if (!(await currentBuild(project, buildDir))) await buildCommand({root: project, buildDir, help: false});
    build = (await currentBuild(project, buildDir))!;
  });
  after(() => rmSync(project, {recursive: true, force: true}));

  test("gives the same output from the build as from its source", () => {
    const built = run();
    const source = run({PLUMBLINE_DEV: "1"});
    assert.equal(built.status, 0, built.stderr);
    assert.equal(source.status, 0, source.stderr);
    assert.match(built.stdout, /"traces":/);
    assert.equal(built.stdout, source.stdout);
  });

  test("the notebooks' loader runs from the build too, with the bytes its source writes", () => {
    const loader = "src/notebooks/data/verdicts.arrow.ts";
    const built = run({}, loader);
    const source = run({PLUMBLINE_DEV: "1"}, loader);
    assert.equal(built.status, 0, built.stderr);
    assert.ok(built.stdout.length > 100, "an Arrow table");
    assert.equal(built.stdout, source.stdout);
    const module = builtDataLoader(build, "notebooks/data/verdicts.arrow.ts")!;
    const original = readFileSync(module, "utf8");
    writeFileSync(module, 'process.stdout.write("from the build");\n');
    try {
      assert.equal(run({}, loader).stdout, "from the build");
    } finally {
      writeFileSync(module, original);
    }
  });

  test("finds the files of the project it runs in, not of the one its build was made in", () => {
    // Without a workspace named, the store looks for the data/ folder of its project; run from elsewhere.
    const {PLUMBLINE_WORKSPACE: _, ...env} = process.env;
    const missing = spawnSync(
      process.execPath,
      [join(project, "loaders", "site", "runLoader.mjs"), join(project, "src", "data", "summary.json.ts")],
      {cwd: join(project, "src"), encoding: "utf8", env: {...env, PLUMBLINE_DEV: "", PLUMBLINE_CLI_BUILD: ""}}
    );
    assert.notEqual(missing.status, 0);
    assert.ok(missing.stderr.includes(`no workspace at ${join(project, "data", "plumbline.duckdb")}`), missing.stderr);
  });

  test("runs from the build while it is current, and from its source once the source changed", () => {
    const loader = builtDataLoader(build, "data/summary.json.ts")!;
    const original = readFileSync(loader, "utf8");
    writeFileSync(loader, 'process.stdout.write("from the build");\n');
    try {
      assert.equal(run().stdout, "from the build");
      assert.match(run({PLUMBLINE_DEV: "1"}).stdout, /"traces":/, "PLUMBLINE_DEV=1 runs the source");
      appendFileSync(join(project, "src", "data", "summary.json.ts"), "\n// edited\n");
      assert.match(run().stdout, /"traces":/, "an edited source makes the build stale");
    } finally {
      writeFileSync(loader, original);
    }
  });
});
