import assert from "node:assert/strict";
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, test} from "node:test";
import {
  cycleEdges,
  folderCycles,
  folderGraph,
  folderOf,
  importEdges,
  packageName,
  type ImportEdge
} from "./importGraph.js";
import {tempDir} from "../loaders/fixtures/tempDir.js";

// The layers of the project, as loaders/README.md draws them. Test files are exempt throughout: a test may drive
// the whole command (`main`) or build a workspace with the ingest to prove a lower layer, and nothing imports a
// test. loaders/fixtures (captured terminals, test workspaces, hostile traces) and loaders/browser (the page tests'
// Chromium harness) are test support and exempt for the same reason.
const edges = importEdges(["src", "loaders"]);
const shipped = edges.filter((edge) => !edge.from.endsWith(".test.ts"));
const TEST_SUPPORT = ["loaders/fixtures/", "loaders/browser/"];
const isTestSupport = (path: string): boolean => TEST_SUPPORT.some((folder) => path.startsWith(folder));

/** The libraries each pure layer may use, besides its own files. */
const CORE_PACKAGES = new Set(["zod", "re2js", "umap-js", "d3-random"]);
const CORE_TEST_PACKAGES = new Set([...CORE_PACKAGES, "node:test", "node:assert", "fast-check"]);
// DuckDB-WASM serves SQL in a notebook (src/components/sql.ts), from node_modules like the others.
const COMPONENT_PACKAGES = new Set([
  "@observablehq/plot",
  "@observablehq/inputs",
  "apache-arrow",
  "d3",
  "@duckdb/duckdb-wasm"
]);
/** Folders the store may import: the pure core, the byte-level helpers below it and `loaders/errors.ts` (as `loaders`). */
const STORE_MAY_IMPORT = new Set(["src/core", "loaders/store", "loaders/files", "loaders/formats", "loaders"]);

function listed(found: readonly ImportEdge[]): string[] {
  return [...new Set(found.map((edge) => `${edge.from} → ${edge.to}`))].sort();
}

describe("the import graph", () => {
  test("is read from the files: the store, the core and the command line are all in it", () => {
    const folders = new Set(edges.map((edge) => folderOf(edge.from)));
    for (const folder of ["src/core", "src/components", "loaders/store", "loaders/cli", "loaders/ingest"])
      assert.ok(folders.has(folder), folder);
    assert.ok(
      edges.some((edge) => edge.from === "loaders/cli/main.ts" && edge.to === "loaders/errors.ts"),
      "main.ts imports loaders/errors.ts"
    );
  });

  test("takes every specifier a file names, type-only ones too, and none from its strings or comments", (t) => {
    const root = tempDir("import-graph", t);
    mkdirSync(join(root, "loaders", "a"), {recursive: true});
    writeFileSync(join(root, "loaders", "a", "b.ts"), "export const b = 1;\n");
    writeFileSync(
      join(root, "loaders", "a", "x.ts"),
      [
        'import type {Schema} from "zod";',
        'import {type Io, b} from "./b.js";',
        'export {parse} from "csv-parse";',
        '// import {nope} from "in-a-comment";',
        "const text = 'import {nope} from \"in-a-string\"';",
        "export const f = <T,>(x: T): T => x;",
        'export const g = (s: Schema | Io) => import("node:fs").then(() => [s, text, b]);'
      ].join("\n")
    );
    const found = importEdges(["loaders"], root).filter((edge) => edge.from === "loaders/a/x.ts");
    assert.deepEqual(
      found.map(({to, local, typeOnly}) => ({to, local, typeOnly})).sort((p, q) => p.to.localeCompare(q.to)),
      [
        {to: "csv-parse", local: false, typeOnly: false},
        {to: "loaders/a/b.ts", local: true, typeOnly: false},
        {to: "node:fs", local: false, typeOnly: false},
        {to: "zod", local: false, typeOnly: true}
      ]
    );
  });

  test("a folder-level cycle is found with the edges that close it, and an acyclic graph has none", () => {
    const sample: ImportEdge[] = [
      {from: "loaders/a/x.ts", to: "loaders/b/y.ts", local: true, typeOnly: false},
      {from: "loaders/b/y.ts", to: "loaders/c/z.ts", local: true, typeOnly: true},
      {from: "loaders/c/z.ts", to: "loaders/a/w.ts", local: true, typeOnly: false},
      {from: "loaders/c/z.ts", to: "loaders/d/v.ts", local: true, typeOnly: false},
      {from: "loaders/d/v.ts", to: "zod", local: false, typeOnly: false}
    ];
    const cycles = folderCycles(folderGraph(sample));
    assert.deepEqual(cycles, [["loaders/a", "loaders/b", "loaders/c"]]);
    assert.deepEqual(listed(cycleEdges(sample, cycles[0]!)), [
      "loaders/a/x.ts → loaders/b/y.ts",
      "loaders/b/y.ts → loaders/c/z.ts",
      "loaders/c/z.ts → loaders/a/w.ts"
    ]);
    assert.deepEqual(folderCycles(folderGraph(sample.slice(0, 2))), []);
  });

  test("package names are reduced to the package, whatever the subpath or prefix", () => {
    assert.equal(packageName("@observablehq/plot"), "@observablehq/plot");
    assert.equal(packageName("@duckdb/node-api/lib/x.js"), "@duckdb/node-api");
    assert.equal(packageName("npm:d3@7"), "d3");
    assert.equal(packageName("node:fs/promises"), "node:fs");
    assert.equal(packageName("zod/v4"), "zod");
  });
});

describe("the layers", () => {
  test("src/core imports only src/core and its declared libraries", () => {
    const offending = edges.filter((edge) => {
      if (!edge.from.startsWith("src/core/")) return false;
      const isTest = edge.from.endsWith(".test.ts");
      // A core test may read its data through loaders/fixtures (the shared data sets, an XML checker).
      if (edge.local) return !edge.to.startsWith("src/core/") && !(isTest && edge.to.startsWith("loaders/fixtures/"));
      return !(isTest ? CORE_TEST_PACKAGES : CORE_PACKAGES).has(edge.to);
    });
    assert.deepEqual(listed(offending), [], "src/core is pure: no node:*, no DOM, no loaders");
  });

  test("src/components imports only the core, each other and the browser's plotting and SQL libraries", () => {
    const offending = shipped.filter((edge) => {
      if (!edge.from.startsWith("src/components/")) return false;
      if (edge.local) return !edge.to.startsWith("src/core/") && !edge.to.startsWith("src/components/");
      return !COMPONENT_PACKAGES.has(edge.to);
    });
    assert.deepEqual(listed(offending), []);
  });

  test("nothing outside loaders/cli imports loaders/cli (tests and test fixtures aside)", () => {
    const offending = shipped.filter(
      (edge) =>
        edge.local &&
        edge.to.startsWith("loaders/cli/") &&
        !edge.from.startsWith("loaders/cli/") &&
        !isTestSupport(edge.from)
    );
    assert.deepEqual(
      listed(offending),
      [],
      "library code throws a PlumblineError (loaders/errors.ts) and leaves the exit status to loaders/cli/main.ts"
    );
  });

  test("only tests and test support import the test support (a stage's own fixtures.ts is test support)", () => {
    const offending = shipped.filter(
      (edge) => edge.local && isTestSupport(edge.to) && !isTestSupport(edge.from) && !edge.from.endsWith("/fixtures.ts")
    );
    const message = "what the app, the server and the command run must not reach loaders/fixtures or loaders/browser";
    assert.deepEqual(listed(offending), [], message);
  });

  test("the store imports no stage above it", () => {
    const offending = shipped.filter(
      (edge) => edge.local && edge.from.startsWith("loaders/store/") && !STORE_MAY_IMPORT.has(folderOf(edge.to))
    );
    assert.deepEqual(listed(offending), [], `loaders/store may import ${[...STORE_MAY_IMPORT].join(", ")} only`);
  });

  test("the folders under loaders/ import each other without a cycle", () => {
    const local = shipped.filter(
      (edge) => edge.from.startsWith("loaders/") && edge.to.startsWith("loaders/") && !isTestSupport(edge.from)
    );
    const cycles = folderCycles(folderGraph(local));
    const report = cycles.map((cycle) => `{${cycle.join(", ")}}:\n  ${listed(cycleEdges(local, cycle)).join("\n  ")}`);
    assert.deepEqual(report, []);
  });
});

describe("loaders/README.md", () => {
  // The stage map's rows: "| `store/` | what it does | `files`, `formats` |"; "any folder" and "anything" allow all.
  const readme = readFileSync(new URL("../loaders/README.md", import.meta.url), "utf8");
  const map = new Map<string, Set<string> | "any">();
  for (const match of readme.matchAll(/^\| `([\w.]+)\/?` \| [^|]+ \| ([^|]+) \|$/gm)) {
    const folder = match[1] === "errors.ts" ? "loaders" : `loaders/${match[1]}`;
    const allowed = match[2]!;
    if (/^any/.test(allowed)) map.set(folder, "any");
    else
      map.set(
        folder,
        new Set([...allowed.matchAll(/`([\w.]+)`/g)].map((m) => (m[1] === "errors.ts" ? "loaders" : `loaders/${m[1]}`)))
      );
  }

  test("the stage map has a row for every folder under loaders/", () => {
    const folders = [
      ...new Set(edges.filter((edge) => edge.from.startsWith("loaders/")).map((edge) => folderOf(edge.from)))
    ].sort();
    assert.deepEqual(
      folders.filter((folder) => !map.has(folder)),
      []
    );
  });

  test("each folder imports only the folders its row of the stage map names", () => {
    const offending = shipped.filter((edge) => {
      if (!edge.local || !edge.from.startsWith("loaders/") || !edge.to.startsWith("loaders/")) return false;
      const from = folderOf(edge.from);
      const to = folderOf(edge.to);
      const allowed = map.get(from);
      return from !== to && allowed !== "any" && !(allowed ?? new Set()).has(to);
    });
    assert.deepEqual(listed(offending), []);
  });
});
