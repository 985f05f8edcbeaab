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
    const a = splitExamples(all, {seed: 3}).heldOut.map((e) => e.traceId).sort();
    const b = splitExamples([...all].reverse(), {seed: 3}).heldOut.map((e) => e.traceId).sort();
    const c = splitExamples(all, {seed: 4}).heldOut.map((e) => e.traceId).sort();
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
});
