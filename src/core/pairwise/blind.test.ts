import assert from "node:assert/strict";
import {test} from "node:test";
import {judgmentSetStats} from "../calibration/judgmentSetStats.js";
import {blindOrder, revealChoice} from "./blind.js";

const pairs = Array.from({length: 1000}, (_, i) => `pair-${i}`);

test("each reviewer gets a stable order per pair, about half of each, and a different one from another reviewer", () => {
  const ana = pairs.map((p) => blindOrder("ana", p));
  assert.deepEqual(
    pairs.map((p) => blindOrder("ana", p)),
    ana
  );
  const oneFirst = ana.filter((o) => o === "1-first").length;
  assert.ok(oneFirst > 440 && oneFirst < 560, `${oneFirst} of 1000 shown output 1 first`);
  const differ = pairs.filter((p) => blindOrder("ana", p) !== blindOrder("bo", p)).length;
  assert.ok(differ > 400 && differ < 600, `${differ} of 1000 orders differ between reviewers`);
});

test("two reviewers who prefer the same output agree once their blind choices are revealed, whatever they were shown", () => {
  const rows = pairs.slice(0, 50).flatMap((pairId) =>
    ["ana", "bo"].map((rater) => {
      const order = blindOrder(rater, pairId);
      // Both prefer output 2: shown 1 first that is "B", shown 2 first it is "A".
      const choice = order === "1-first" ? "B" : "A";
      return {itemId: pairId, rater, kind: "human", label: revealChoice(choice, order)};
    })
  );
  assert.ok(rows.every((r) => r.label === "2"));
  const stats = judgmentSetStats(rows);
  assert.deepEqual(stats.annotatorPairs[0]!.agreement.accuracy, {value: 1});
});
