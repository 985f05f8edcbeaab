// The README is a newcomer's first page: short, and every command in it and in the guides runs as written in a
// fresh clone, where only `npx plumbline` (the package's own bin) finds the command.
import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {describe, test} from "node:test";
import {fileURLToPath} from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((n) => n.endsWith(".md"))
    .map((n) => `docs/${n}`)
];

/** Lines of fenced shell blocks that start a bare `plumbline <verb>`, with their file and line number. */
export function bareCommands(file: string, text: string): string[] {
  const found: string[] = [];
  let fence: string | null = null;
  text.split("\n").forEach((line, i) => {
    const opens = /^```(\w*)/.exec(line);
    if (opens) {
      fence = fence === null ? opens[1]! : null;
      return;
    }
    if ((fence === "sh" || fence === "bash") && /^\s*plumbline\s/.test(line)) found.push(`${file}:${i + 1}: ${line}`);
  });
  return found;
}

describe("the README and the guides", () => {
  test("the README stays under 15,000 bytes", () => {
    const size = statSync(join(root, "README.md")).size;
    assert.ok(size <= 15_000, `README.md is ${size} bytes: move detail into a guide under docs/`);
  });

  test("commands in shell blocks are written `npx plumbline …`, which works in a fresh clone", () => {
    assert.deepEqual(bareCommands("x.md", "```sh\nplumbline gate\nnpx plumbline gate\n```\nplumbline gate"), [
      "x.md:2: plumbline gate"
    ]);
    const bare = pages.flatMap((page) => bareCommands(page, readFileSync(join(root, page), "utf8")));
    assert.deepEqual(bare, []);
  });

  test("package.json names the command's bin, so `npx plumbline` finds it after npm install", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    assert.equal(pkg.bin.plumbline, "bin/plumbline.js");
    assert.match(readFileSync(join(root, "bin/plumbline.js"), "utf8"), /^#!\/usr\/bin\/env node\n/);
  });
});
