import assert from "node:assert/strict";
import {test} from "node:test";
import {dailyCounts, DEFAULT_TRENDS, trendFlags} from "./trends.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-01T12:00:00Z");
const ago = (days: number) => NOW - days * DAY;

test("a mode first seen under 7 days ago is new; one seen 8 days ago is not", () => {
  assert.deepEqual(trendFlags([ago(6.9)], {now: NOW, state: "new", resolvedAt: null}).flags, ["new"]);
  assert.deepEqual(trendFlags([ago(8), ago(3)], {now: NOW, state: "new", resolvedAt: null}).flags, []);
});

test("escalating when the last day is more than a third above the 7-day daily average", () => {
  // Window: 14 traces over the 7 days before the last day → 2 a day; a third above is 2.67.
  const window = Array.from({length: 14}, (_, i) => ago(1.5 + (i % 7)));
  const base = [ago(30), ...window];
  const three = trendFlags([...base, ago(0.1), ago(0.2), ago(0.3)], {now: NOW, state: "triaged", resolvedAt: null});
  assert.equal(three.windowAverage, 2);
  assert.equal(three.lastDay, 3);
  assert.deepEqual(three.flags, ["escalating"]);
  assert.deepEqual(trendFlags([...base, ago(0.1), ago(0.2)], {now: NOW, state: "triaged", resolvedAt: null}).flags, []);
});

test("traces seen all on one day are new, not escalating: one bucket is no trend", () => {
  const once = Array.from({length: 50}, () => ago(0.2));
  assert.deepEqual(trendFlags(once, {now: NOW, state: "new", resolvedAt: null}).flags, ["new"]);
});

test("quiet after 14 days unseen, proposed for pruning after 90, both thresholds configurable", () => {
  assert.deepEqual(trendFlags([ago(20)], {now: NOW, state: "triaged", resolvedAt: null}).flags, ["quiet"]);
  assert.equal(trendFlags([ago(20)], {now: NOW, state: "triaged", resolvedAt: null}).pruneCandidate, false);
  assert.equal(trendFlags([ago(91)], {now: NOW, state: "triaged", resolvedAt: null}).pruneCandidate, true);
  const strict = {...DEFAULT_TRENDS, quietDays: 30, pruneDays: 10};
  const result = trendFlags([ago(20)], {now: NOW, state: "triaged", resolvedAt: null}, strict);
  assert.deepEqual([result.flags, result.pruneCandidate], [[], true]);
  assert.equal(trendFlags([], {now: NOW, state: "new", resolvedAt: null}).pruneCandidate, false);
});

test("regressed when a resolved mode is seen after its resolution", () => {
  const context = {now: NOW, state: "verified_resolved" as const, resolvedAt: ago(10)};
  assert.deepEqual(trendFlags([ago(40), ago(12)], context).flags, []);
  assert.ok(trendFlags([ago(40), ago(2)], context).flags.includes("regressed"));
});

test("daily counts cover each UTC day up to now, zeros included", () => {
  const counts = dailyCounts([ago(0), ago(0.1), ago(2), ago(40)], NOW, 3);
  assert.deepEqual(
    counts.map((c) => c.count),
    [1, 0, 2]
  );
  assert.equal(counts[2]!.day, Date.parse("2026-03-01T00:00:00Z"));
});
