import assert from "node:assert/strict";
import {test} from "node:test";
import {main, mainHelp} from "./main.js";
import {captureIo} from "../fixtures/captureIo.js";

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

test("plumbline start rejects an invalid port before starting anything", async () => {
  // Binding beyond loopback needs a token; loaders/server/startToken.test.ts runs that end to end.
  const io = captureIo();
  assert.equal(await main(["start", "--port", "http", "--no-open"], io), 2);
  assert.match(io.stderr.join("\n"), /invalid port: http/);
});
