import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test} from "node:test";
import {fixtureTraces} from "../browser/fixtures.js";
import {writeFixtureWorkspace} from "../browser/fixtureWorkspace.js";
import {main, mainHelp, type Io} from "./main.js";
import {PROJECT_ROOT} from "./workspaceChanged.js";

function captureIo(): Io & {stdout: string[]; stderr: string[]} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), env: {}};
}

const verbs = [...mainHelp().matchAll(/^ {2}([\w-]+) {2,}/gm)].map((m) => m[1]!);

test("plumbline --help lists the verbs and exits 0", async () => {
  const io = captureIo();
  assert.equal(await main(["--help"], io), 0);
  assert.ok(verbs.length >= 4, `verbs found: ${verbs.join(", ")}`);
  for (const verb of ["ingest", "demo", "start", "build"]) assert.ok(verbs.includes(verb), `${verb} missing`);
});

test("every verb answers --help with its usage and exits 0", async () => {
  for (const verb of verbs) {
    const io = captureIo();
    assert.equal(await main([verb, "--help"], io), 0, verb);
    assert.match(io.stdout.join("\n"), new RegExp(`^Usage: plumbline ${verb}`), verb);
  }
});

test("an unknown verb or option is a usage error with status 2 that says what to do next", async () => {
  const io = captureIo();
  assert.equal(await main(["frobnicate"], io), 2);
  assert.match(io.stderr.join("\n"), /unknown command: frobnicate/);
  const option = captureIo();
  assert.equal(await main(["ingest", "--bogus", "x"], option), 2);
  assert.match(option.stderr.join("\n"), /plumbline ingest --help/);
});

test("plumbline start beyond loopback prints a generated token once and refuses requests without it", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "plumbline-start-"));
  await writeFixtureWorkspace(workspace, fixtureTraces());
  const child = spawn(process.execPath, ["bin/plumbline.js", "start", "--host", "0.0.0.0", "--port", "0", "--no-open", "--workspace", workspace], {
    cwd: PROJECT_ROOT, env: {...process.env, CI: "1", NO_COLOR: "1"}, stdio: ["ignore", "pipe", "pipe"], detached: true
  });
  let output = "";
  child.stdout!.on("data", (data: Buffer) => (output += data));
  child.stderr!.on("data", (data: Buffer) => (output += data));
  try {
    const started = Date.now();
    while (!/serving .* at (http:\/\/[^/\s]+)/.test(output)) {
      if (child.exitCode !== null || Date.now() - started > 60_000) assert.fail(`plumbline start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const token = /access token \(shown once[^)]*\): (\S+)/.exec(output)?.[1];
    assert.ok(token, `no token printed:\n${output}`);
    assert.equal(output.split(token).length - 1, 2, "the token is printed in the notice and the sign-in URL only");
    const port = /serving .* at http:\/\/[^:]+:(\d+)/.exec(output)![1];
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/api/health`)).status, 401);
    assert.equal((await fetch(`${base}/api/health`, {headers: {authorization: `Bearer ${token}`}})).status, 200);
  } finally {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  }
});
