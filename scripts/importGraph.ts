/**
 * @module The import graph of the project's own code, read from each file's import and export-from specifiers.
 *
 * esbuild strips each file's types (keeping every import statement as written, as `verbatimModuleSyntax` asks) and
 * es-module-lexer lists the specifiers of the JavaScript left, strings, comments and dynamic imports included; the
 * type-only imports that stripping removes are read from the source. Neither type-checks, so the graph of every file
 * under `src/` and `loaders/` is built in about a second. (It gave the same specifiers as TypeScript's
 * `preProcessFile`, which the native TypeScript 7 compiler no longer offers, on every file of the repository.)
 * Relative specifiers are resolved to files (a `.js` specifier names the `.ts` file beside it); bare specifiers are
 * reduced to their package name. Run this file to print the folder-level cycles:
 * `node --import tsx scripts/importGraph.ts`.
 */
import {readdirSync, readFileSync, statSync, existsSync} from "node:fs";
import {dirname, join, relative, resolve, sep} from "node:path";
import {fileURLToPath} from "node:url";
import {transformSync} from "esbuild";
import {initSync, parse} from "es-module-lexer";

initSync();

export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** One import: `from` and `to` are repository-relative paths with `/`, or `to` is a package (`zod`, `node:fs`). */
export interface ImportEdge {
  from: string;
  to: string;
  /** True when `to` is a file of the project, false when it is a package or a Node builtin. */
  local: boolean;
  typeOnly: boolean;
}

const SOURCE = /\.(ts|mts|mjs|js)$/;
const DECLARATIONS = /\.d\.m?ts$/;
const SKIP = new Set(["node_modules", ".observablehq", "dist"]);

/** The TypeScript and JavaScript files under `dir`, installed and built folders left out. */
export function* sourceFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(entry) && !entry.endsWith(".d.ts")) yield path;
  }
}

function posix(path: string): string {
  return path.split(sep).join("/");
}

/** The file a relative specifier names: `./a.js` may be `a.ts`, `./a` may be `a.ts` or `a/index.ts`. */
function resolveLocal(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.mjs$/, ".mts"),
    `${base}.ts`,
    join(base, "index.ts")
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? base;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`, `npm:d3@7` → `d3`; `node:` builtins are kept whole. */
export function packageName(specifier: string): string {
  const bare = specifier.replace(/^npm:/, "");
  if (bare.startsWith("node:")) return bare.split("/")[0]!;
  const parts = bare.split("/");
  const name = bare.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return name.replace(/(.)@[^/]*$/, "$1");
}

/** An import or export statement that names a module: `(import|export)`, `type ` or nothing, the specifier. */
const FROM = /^\s*(import|export)\s+(type\s+)?[^;]*?\s+from\s+["']([^"']+)["']/gms;

/** Whether the import statement that holds `specifier` imports types only (`import type`, `export type`). */
function typeOnlySpecifiers(text: string): Set<string> {
  const typeOnly = new Set<string>();
  const all = new Set<string>();
  for (const match of text.matchAll(FROM)) {
    const specifier = match[3]!;
    if (match[2]) typeOnly.add(specifier);
    else all.add(specifier);
  }
  for (const specifier of all) typeOnly.delete(specifier);
  return typeOnly;
}

/**
 * The specifiers `file` imports or re-exports from, each once, in order: those of its JavaScript once types are
 * stripped, then the type-only ones. A declaration file (`.d.mts`) has no JavaScript: its statements are read as
 * written.
 */
function specifiersOf(file: string, text: string, typeOnly: ReadonlySet<string>): string[] {
  if (DECLARATIONS.test(file)) return [...new Set([...text.matchAll(FROM)].map((match) => match[3]!))];
  const {code} = transformSync(text, {
    loader: /\.m?ts$/.test(file) ? "ts" : "js",
    format: "esm",
    tsconfigRaw: {compilerOptions: {verbatimModuleSyntax: true}}
  });
  const [imports] = parse(code);
  return [...new Set([...imports.flatMap(({n}) => (n === undefined ? [] : [n])), ...typeOnly])];
}

/** Every import edge of the files under `roots` (repository-relative folders). */
export function importEdges(
  roots: readonly string[] = ["src", "loaders"],
  repositoryRoot = REPOSITORY_ROOT
): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const root of roots) {
    for (const file of sourceFiles(join(repositoryRoot, root))) {
      const text = readFileSync(file, "utf8");
      const typeOnly = typeOnlySpecifiers(text);
      const from = posix(relative(repositoryRoot, file));
      for (const specifier of specifiersOf(file, text, typeOnly)) {
        const local = specifier.startsWith(".") || specifier.startsWith("/");
        edges.push({
          from,
          to: local ? posix(relative(repositoryRoot, resolveLocal(file, specifier))) : packageName(specifier),
          local,
          typeOnly: typeOnly.has(specifier)
        });
      }
    }
  }
  return edges;
}

/** The folder a file belongs to at the given depth: `loaders/store/db.ts` at depth 2 is `loaders/store`. */
export function folderOf(path: string, depth = 2): string {
  const parts = path.split("/");
  return parts.slice(0, Math.min(depth, parts.length - 1)).join("/");
}

/** The folder-level graph of local edges: folder → folders it imports (without itself). */
export function folderGraph(edges: readonly ImportEdge[], depth = 2): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (!edge.local) continue;
    const from = folderOf(edge.from, depth);
    const to = folderOf(edge.to, depth);
    if (!graph.has(from)) graph.set(from, new Set());
    if (from !== to) graph.get(from)!.add(to);
  }
  return graph;
}

/** The strongly connected components with more than one folder (Tarjan's algorithm), each sorted. */
export function folderCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The edges that hold a cycle together: those whose two ends are different folders of the same component. */
export function cycleEdges(edges: readonly ImportEdge[], cycle: readonly string[], depth = 2): ImportEdge[] {
  const members = new Set(cycle);
  return edges.filter((edge) => {
    if (!edge.local) return false;
    const from = folderOf(edge.from, depth);
    const to = folderOf(edge.to, depth);
    return from !== to && members.has(from) && members.has(to);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const excludeTests = process.argv.includes("--no-tests");
  const edges = importEdges().filter((edge) => !excludeTests || !edge.from.endsWith(".test.ts"));
  const cycles = folderCycles(folderGraph(edges));
  if (!cycles.length) console.log("no folder-level cycles");
  for (const cycle of cycles) {
    console.log(`cycle: {${cycle.join(", ")}}`);
    for (const edge of cycleEdges(edges, cycle))
      console.log(`  ${edge.from} → ${edge.to}${edge.typeOnly ? " (type)" : ""}`);
  }
}
