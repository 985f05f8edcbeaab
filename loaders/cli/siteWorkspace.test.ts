// Which workspace `plumbline start` (and `build`) shows, and when the bundled demo is built into it: only in the
// default workspace, or with --demo; a new folder the user names starts empty, with what to do next.
import assert from "node:assert/strict";
import {existsSync, mkdirSync} from "node:fs";
import {join, resolve} from "node:path";
import {test} from "node:test";
import {captureIo} from "../fixtures/captureIo.js";
import {tempDir} from "../fixtures/tempDir.js";
import {dbPath, withConnection, withReadConnection} from "../store/db.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {parseStartArgs} from "./siteCommand.js";
import {prepareWorkspace, sitePlan} from "./siteWorkspace.js";

/** A stand-in for the demo build that records where it was asked to build and writes nothing. */
function demoBuilds(): {built: string[]; build: (workspace: string) => Promise<void>} {
  const built: string[] = [];
  return {built, build: async (workspace) => void built.push(workspace)};
}

async function traceCount(workspace: string): Promise<number> {
  return withReadConnection(workspace, async (c) => {
    const rows = (await c.runAndReadAll("SELECT count(*)::INTEGER AS n FROM traces")).getRowObjectsJS();
    return rows[0]!.n as number;
  });
}

test("start --workspace on a new folder gives an empty store and says how to add traces, with no demo traces in it", async (t) => {
  const workspace = join(tempDir("start-empty", t), "my-ws");
  const args = parseStartArgs(["--workspace", workspace]);
  const plan = sitePlan(args.workspace, args.demo, {});
  assert.deepEqual(plan, {workspace, demo: false});
  const io = captureIo({});
  const demo = demoBuilds();
  assert.equal(await prepareWorkspace(plan, io, demo.build), workspace);
  assert.deepEqual(demo.built, []);
  assert.ok(existsSync(dbPath(workspace)), "the pages and the API have a store to read");
  assert.equal(await traceCount(workspace), 0);
  assert.match(io.stderr.join("\n"), new RegExp(`npx plumbline ingest FILE --workspace ${workspace}`));
});

test("$PLUMBLINE_WORKSPACE naming a new folder starts it empty too, and a workspace with a store is shown as it is", async (t) => {
  const root = tempDir("start-env", t);
  const named = join(root, "from-env");
  assert.deepEqual(sitePlan(undefined, false, {PLUMBLINE_WORKSPACE: named}, join(root, "default")), {
    workspace: named,
    demo: false
  });
  const existing = join(root, "existing");
  await withConnection(existing, async () => {});
  for (const demo of [false, true]) assert.equal(sitePlan(existing, demo, {}, existing).demo, false);
});

test("the default workspace, data/ (npm start), and --demo on a new folder get the bundled demo", async (t) => {
  assert.equal(sitePlan(undefined, false, {}).workspace, resolve(PROJECT_ROOT, "data"));
  const root = tempDir("start-demo", t);
  const defaultWorkspace = join(root, "data");
  mkdirSync(defaultWorkspace);
  const byDefault = sitePlan(undefined, false, {}, defaultWorkspace);
  assert.deepEqual(byDefault, {workspace: defaultWorkspace, demo: true});
  // Named by its path, the default workspace is still the default.
  assert.equal(sitePlan(join(root, "data", "."), false, {}, defaultWorkspace).demo, true);
  const asked = join(root, "asked");
  const args = parseStartArgs(["--workspace", asked, "--demo"]);
  const withDemo = sitePlan(args.workspace, args.demo, {}, defaultWorkspace);
  assert.deepEqual(withDemo, {workspace: asked, demo: true});
  const demo = demoBuilds();
  for (const plan of [byDefault, withDemo]) await prepareWorkspace(plan, captureIo({}), demo.build);
  assert.deepEqual(demo.built, [defaultWorkspace, asked]);
});
