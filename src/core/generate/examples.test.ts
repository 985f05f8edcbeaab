import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {splitExamples} from "./examples.js";

const examples = (fails: number, passes: number) => [
  ...Array.from({length: fails}, (_, i) => ({traceId: `f${i}`, outcome: "fail" as const})),
  ...Array.from({length: passes}, (_, i) => ({traceId: `p${i}`, outcome: "pass" as const}))
];

describe("splitExamples", () => {
  test("holds out the asked share of each class and loses no example", () => {
    const all = examples(20, 80);
    const {train, heldOut} = splitExamples(all, {heldOut: 0.25});
    assert.equal(heldOut.filter((e) => e.outcome === "fail").length, 5);
    assert.equal(heldOut.filter((e) => e.outcome === "pass").length, 20);
    assert.deepEqual([...train, ...heldOut].map((e) => e.traceId).sort(), all.map((e) => e.traceId).sort());
  });

  test("gives the same split for the same labels in any order, and another split for another seed", () => {
    const all = examples(10, 30);
    const a = splitExamples(all, {seed: 3})
      .heldOut.map((e) => e.traceId)
      .sort();
    const b = splitExamples([...all].reverse(), {seed: 3})
      .heldOut.map((e) => e.traceId)
      .sort();
    const c = splitExamples(all, {seed: 4})
      .heldOut.map((e) => e.traceId)
      .sort();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test("keeps one example of a small class on each side", () => {
    const {train, heldOut} = splitExamples(examples(2, 50), {heldOut: 0.1});
    assert.equal(train.filter((e) => e.outcome === "fail").length, 1);
    assert.equal(heldOut.filter((e) => e.outcome === "fail").length, 1);
  });

  test("refuses a held-out share outside (0, 1)", () => {
    assert.throws(() => splitExamples(examples(1, 1), {heldOut: 1}), /between 0 and 1/);
  });

  test("with groups, no group is on both sides, each class is held out near its share, and the split repeats", () => {
    // 40 tasks run 4 times each; a task's runs mostly share an outcome, as τ-bench's trials do.
    const all = Array.from({length: 160}, (_, i) => ({
      traceId: `t${i}`,
      group: `task-${i % 40}`,
      outcome: (i % 40 < 14 || (i % 40 < 20 && i % 3 === 0) ? "fail" : "pass") as "fail" | "pass"
    }));
    const {train, heldOut} = splitExamples(all, {heldOut: 0.3, seed: 2});
    const trainGroups = new Set(train.map((e) => e.group));
    assert.ok(
      heldOut.every((e) => !trainGroups.has(e.group)),
      "a group straddles the split"
    );
    assert.equal(train.length + heldOut.length, 160);
    for (const outcome of ["fail", "pass"] as const) {
      const n = all.filter((e) => e.outcome === outcome).length;
      const h = heldOut.filter((e) => e.outcome === outcome).length;
      assert.ok(h > 0 && h <= Math.round(n * 0.3) + 4, `${outcome}: ${h} of ${n} held out`);
      assert.ok(h >= Math.round(n * 0.3) - 8, `${outcome}: only ${h} of ${n} held out`);
    }
    assert.deepEqual(
      splitExamples([...all].reverse(), {heldOut: 0.3, seed: 2})
        .heldOut.map((e) => e.traceId)
        .sort(),
      heldOut.map((e) => e.traceId).sort()
    );
  });
});
