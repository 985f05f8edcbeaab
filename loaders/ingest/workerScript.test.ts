import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {fileURLToPath, pathToFileURL} from "node:url";
import {workerScript, type BundleOptions} from "./workerScript.js";

function project(): BundleOptions {
  const root = mkdtempSync(join(tmpdir(), "plumbline-bundle-"));
  writeFileSync(join(root, "entry.ts"), `import {word} from "./dep.ts";\nexport const said: string = word;\n`);
  writeFileSync(join(root, "dep.ts"), `export const word = "first";\n`);
  return {root, entry: "entry.ts", cacheDir: join(root, "cache"), name: "w", fallback: pathToFileURL(join(root, "fallback.mjs"))};
}

test("the workers' bundle is built once, reused while its sources stay the same, and rebuilt when one changes", async () => {
  const options = project();
  const first = await workerScript(options);
  assert.equal(fileURLToPath(first), join(options.cacheDir, "w.mjs"));
  assert.match(readFileSync(first, "utf8"), /"first"/);
  const built = statSync(first).mtimeMs;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(statSync(await workerScript(options)).mtimeMs, built, "unchanged sources reuse the bundle");
  writeFileSync(join(options.root, "dep.ts"), `export const word = "second";\n`);
  const rebuilt = await workerScript(options);
  assert.match(readFileSync(rebuilt, "utf8"), /"second"/);
  assert.equal(((await import(`${rebuilt.href}?v=2`)) as {said: string}).said, "second");
});

test("a worker whose sources do not build runs from the fallback instead", async () => {
  const options = project();
  writeFileSync(join(options.root, "dep.ts"), `export const word = ;\n`);
  assert.equal((await workerScript(options)).href, options.fallback.href);
});
