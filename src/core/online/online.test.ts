import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {budgetLeft} from "./budget.js";
import {inSample, samplePoint} from "./sample.js";

describe("inSample(traceId, key, share)", () => {
  const ids = Array.from({length: 2000}, (_, i) => `trace-${i}`);

  test("makes the same choice every time it is asked", () => {
    const first = ids.filter((id) => inSample(id, "judge-a", 0.1));
    const again = ids.filter((id) => inSample(id, "judge-a", 0.1));
    assert.deepEqual(again, first);
  });

  test("keeps about the share asked for, and different keys keep different traces", () => {
    const a = ids.filter((id) => inSample(id, "judge-a", 0.1));
    const b = ids.filter((id) => inSample(id, "judge-b", 0.1));
    assert.ok(a.length > 150 && a.length < 250, `${a.length} of 2000`);
    assert.notDeepEqual(a, b);
  });

  test("ids that differ only in their last character still spread over the share", () => {
    const few = Array.from({length: 12}, (_, i) => `t-${i}`).filter((id) => inSample(id, "judge-a", 0.5));
    assert.ok(few.length >= 3 && few.length <= 9, `${few.length} of 12`);
  });

  test("a larger share keeps every trace a smaller one keeps", () => {
    const small = ids.filter((id) => inSample(id, "k", 0.1));
    assert.ok(small.every((id) => inSample(id, "k", 0.5)));
  });

  test("share 1 keeps every trace and share 0 none", () => {
    assert.ok(ids.every((id) => inSample(id, "k", 1)));
    assert.ok(!ids.some((id) => inSample(id, "k", 0)));
    assert.ok(ids.every((id) => samplePoint(id, "k") >= 0 && samplePoint(id, "k") < 1));
  });
});

describe("budgetLeft(budget, spent)", () => {
  test("no caps leave calls unlimited", () => {
    assert.deepEqual(budgetLeft({perHour: null, perDay: null}, {lastHour: 9, lastDay: 99}), {calls: null, limit: null});
  });

  test("the tighter cap binds, and a spent budget leaves 0, never less", () => {
    assert.deepEqual(budgetLeft({perHour: 10, perDay: 100}, {lastHour: 4, lastDay: 97}), {
      calls: 3,
      limit: "100 calls per day"
    });
    assert.deepEqual(budgetLeft({perHour: 10, perDay: null}, {lastHour: 12, lastDay: 12}), {
      calls: 0,
      limit: "10 calls per hour"
    });
  });
});
