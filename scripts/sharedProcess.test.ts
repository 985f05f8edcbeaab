// scripts/test.mjs runs each folder's test files in one Node process. That is safe only while no test, and no
// test support, changes what the process shares: its environment, working folder, exit status, signal or error
// handlers (a cleanup on exit, added once per process, is fine), console or standard streams, or modules and
// timers through the test runner's mocks. A test that needs one of these belongs in a child process it starts
// itself (as the CLI tests that run `bin/plumbline.js` do).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join, relative} from "node:path";
import {test} from "node:test";
import {REPOSITORY_ROOT, sourceFiles} from "./importGraph.js";

const PROCESS_WIDE = [
  {
    what: "sets or deletes an environment variable",
    pattern: /process\.env(\.\w+|\[[^\]]+\])\s*(=(?!=)|\?\?=|\|\|=)|delete\s+process\.env/
  },
  {what: "changes the working folder", pattern: /process\.chdir\(/},
  {what: "sets the exit status", pattern: /process\.exitCode\s*=(?!=)/},
  {
    what: "adds a process-wide handler",
    pattern: /process\.(on|once|prependListener)\(\s*["'](SIG\w+|uncaughtException|unhandledRejection|warning)/
  },
  {
    what: "replaces the console or a standard stream",
    pattern: /(console\.\w+|process\.(stdout|stderr)\.write)\s*=(?!=)/
  },
  {what: "mocks a module, a method or the timers", pattern: /\bmock\.(module|method|timers|property)\b/}
];

/** What `text` does to the whole process, one line per finding. */
function processWide(text: string): string[] {
  return text
    .split("\n")
    .flatMap((line, i) =>
      PROCESS_WIDE.filter(({pattern}) => pattern.test(line)).map(({what}) => `line ${i + 1} ${what}: ${line.trim()}`)
    );
}

test("the check finds each kind of process-wide change", () => {
  const samples = [
    'process.env.PLUMBLINE_WORKSPACE = "/tmp/w";',
    'process.env["OPENAI_API_KEY"] ??= "x";',
    "delete process.env.TZ;",
    'process.chdir("/tmp");',
    "process.exitCode = 1;",
    'process.on("SIGINT", stop);',
    "console.error = () => {};",
    "process.stdout.write = capture;",
    'mock.method(fs, "readFileSync");',
    "mock.timers.enable();"
  ];
  for (const sample of samples) assert.equal(processWide(sample).length, 1, sample);
  assert.deepEqual(
    processWide('const dir = process.env.PLUMBLINE_WORKSPACE ?? "data";\nif (process.exitCode === 1) {}'),
    []
  );
});

test("no test file and no test support changes what the tests of one folder share in their process", () => {
  const files = ["loaders", "src", "scripts", "bench"]
    .flatMap((root) => [...sourceFiles(join(REPOSITORY_ROOT, root))])
    .map((path) => relative(REPOSITORY_ROOT, path).split("\\").join("/"))
    .filter((path) => path.endsWith(".test.ts") || path.startsWith("loaders/fixtures/"))
    .filter((path) => path !== "scripts/sharedProcess.test.ts");
  assert.ok(files.length > 80, `found only ${files.length} test files`);
  const findings = files.flatMap((path) =>
    processWide(readFileSync(join(REPOSITORY_ROOT, path), "utf8")).map((found) => `${path}: ${found}`)
  );
  assert.deepEqual(findings, []);
});
