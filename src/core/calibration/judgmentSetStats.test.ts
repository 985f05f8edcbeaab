import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {judgmentSetStats, type ClassRow} from "./judgmentSetStats.js";
import type {Metric} from "./metric.js";

const v = (m: Metric) => ("value" in m ? m.value : m.undefined);

/** Gold "1" on four items, "2" on four; a judge in both orders, with one unreadable answer in each and one shared. */
function rows(): ClassRow[] {
  const gold = ["1", "1", "1", "1", "2", "2", "2", "2"];
  const first = ["1", "1", null, "2", "2", "2", null, "1"];
  const swapped = ["1", "2", null, "2", "2", null, "2", "1"];
  return gold.flatMap((g, i) => [
    {itemId: String(i), rater: "gold", kind: "human", label: g},
    {itemId: String(i), rater: "J/S", kind: "judge", label: first[i]!},
    {itemId: String(i), rater: "J/S/swapped", kind: "judge", label: swapped[i]!}
  ]);
}

describe("judgmentSetStats(rows, nullAs)", () => {
  test("wrong keeps an unreadable answer in n as a miss; missing leaves it out", () => {
    const wrong = judgmentSetStats(rows(), "wrong").judges.find((j) => j.rater === "J/S")!;
    assert.equal(wrong.agreement.n, 8);
    assert.equal(v(wrong.agreement.accuracy), 4 / 8);
    assert.equal(wrong.unreadable, 2);
    const missing = judgmentSetStats(rows(), "missing").judges.find((j) => j.rater === "J/S")!;
    assert.equal(missing.agreement.n, 6);
    assert.equal(v(missing.agreement.accuracy), 4 / 6);
    assert.equal(missing.unreadable, 2);
  });

  test("tie counts an unreadable answer as a tie where the set has ties, and as wrong where it has none", () => {
    const withTie = [...rows(), {itemId: "8", rater: "gold", kind: "human", label: "tie"}];
    const j = judgmentSetStats(withTie, "tie").judges.find((x) => x.rater === "J/S")!;
    assert.equal(j.matrix.length, 3);
    assert.equal(j.agreement.n, 8, "item 8 has no answer from the judge at all, so it is not in n");
    assert.equal(v(judgmentSetStats(rows(), "tie").judges[0]!.agreement.accuracy), 4 / 8);
  });

  test("pairs a judge with its swapped run: positional agreement and kappa between the orders", () => {
    const wrong = judgmentSetStats(rows(), "wrong").orders;
    assert.deepEqual(
      wrong.map((o) => [o.rater, o.swapped, o.n]),
      [["J/S", "J/S/swapped", 8]]
    );
    // Same answer on items 0, 2 (both unreadable), 3, 4, 7: 5 of 8, as LLMBar counts two nulls equal.
    assert.equal(v(wrong[0]!.agreement), 5 / 8);
    const missing = judgmentSetStats(rows(), "missing").orders[0]!;
    assert.equal(missing.n, 5);
    assert.equal(v(missing.agreement), 4 / 5);
    // Items 0, 1, 3, 4, 7 in the order (first, swapped): 1-1, 1-2, 2-2, 2-2, 1-1; p_o = 4/5, p_e = (3·2 + 2·3)/25.
    assert.ok(Math.abs((v(missing.kappa) as number) - (4 / 5 - 12 / 25) / (1 - 12 / 25)) < 1e-12);
  });

  test("all annotators at once: none with a single annotator", () => {
    assert.equal(judgmentSetStats(rows(), "wrong").annotators, null);
  });
});
