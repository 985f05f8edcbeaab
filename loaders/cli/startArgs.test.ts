import assert from "node:assert/strict";
import {test} from "node:test";
import {parseDuration} from "./duration.js";
import {parseStartArgs} from "./siteCommand.js";

test("a duration is a number with ms, s, m or h, or a bare number of seconds", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("1.5h"), 5_400_000);
  assert.equal(parseDuration("45"), 45_000);
  assert.equal(parseDuration("0s"), 0);
  for (const bad of ["", "soon", "-5s", "5 days", "1e3", "s"]) assert.equal(parseDuration(bad), null, bad);
});

test("plumbline start takes --receiving-window and --quiet-period as durations, and leaves them to the defaults when absent", () => {
  const given = parseStartArgs(["--receiving-window", "2m", "--quiet-period=45s", "--no-open"]);
  assert.equal(given.receivingMs, 120_000);
  assert.equal(given.quietMs, 45_000);
  const absent = parseStartArgs([]);
  assert.equal(absent.receivingMs, undefined);
  assert.equal(absent.quietMs, undefined);
  // A quiet period of 0 judges a trace as soon as it is stored; a window of 0 would mark nothing as receiving.
  assert.equal(parseStartArgs(["--quiet-period", "0"]).quietMs, 0);
});

test("a --receiving-window or --quiet-period that is not a duration is a usage error that shows one", () => {
  assert.throws(
    () => parseStartArgs(["--receiving-window", "soon"]),
    /invalid --receiving-window: soon \(a duration such as 30s/
  );
  assert.throws(() => parseStartArgs(["--receiving-window", "0s"]), /invalid --receiving-window: 0s/);
  assert.throws(() => parseStartArgs(["--quiet-period=-1m"]), /invalid --quiet-period: -1m/);
});
