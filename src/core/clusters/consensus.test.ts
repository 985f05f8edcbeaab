import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import {averageLinkage, consensusLabels} from "./consensus.js";
import {adjustedRandIndex} from "./randIndex.js";

test("identical runs give their own partition back", () => {
  const run = [2, 2, 0, 0, 1, 1, 1];
  assert.equal(adjustedRandIndex(consensusLabels([run, run, run]), run), 1);
});

test("labels are numbered in order of first appearance, whatever each run calls its clusters", () => {
  assert.deepEqual(
    consensusLabels([
      [5, 5, 3, 3],
      [0, 0, 1, 1],
      [7, 7, 9, 9]
    ]),
    [0, 0, 1, 1]
  );
});

test("one run that disagrees with the others is outvoted", () => {
  const most = [0, 0, 0, 1, 1, 1];
  const odd = [0, 0, 1, 1, 1, 0];
  assert.deepEqual(consensusLabels([most, most, odd, most, most]), consensusLabels([most]));
});

test("items together in fewer than half the runs stay apart, in more than half they join", () => {
  const a = [0, 0, 1, 1];
  const b = [0, 1, 2, 3];
  // Items 0 and 1 share a cluster in two runs of five: apart. In three of five: together.
  assert.deepEqual(consensusLabels([a, a, b, b, b]), [0, 1, 2, 3]);
  assert.deepEqual(consensusLabels([a, a, a, b, b]), [0, 0, 1, 1]);
});

test("a stricter agreement keeps apart what a bare majority joins", () => {
  const a = [0, 0, 1, 1];
  const b = [0, 1, 2, 3];
  assert.deepEqual(consensusLabels([a, a, a, b, b], 0.5), [0, 0, 1, 1]);
  assert.deepEqual(consensusLabels([a, a, a, b, b], 0.7), [0, 1, 2, 3]);
});

test("runs of different lengths are refused", () => {
  assert.throws(() => consensusLabels([[0, 1], [0]]), /one label per item/);
});

/** Average linkage the textbook way: merge the closest pair of groups, by weighted mean distance, until one is left. */
function referenceHeights(d: number[][], weight: number[]): number[] {
  let groups = weight.map((_, i) => [i]);
  const between = (g: number[], h: number[]) => {
    let sum = 0;
    let total = 0;
    for (const i of g)
      for (const j of h) {
        sum += weight[i]! * weight[j]! * d[i]![j]!;
        total += weight[i]! * weight[j]!;
      }
    return sum / total;
  };
  const heights: number[] = [];
  while (groups.length > 1) {
    let best = Infinity;
    let pair: [number, number] = [0, 1];
    for (let a = 0; a < groups.length; a++)
      for (let b = a + 1; b < groups.length; b++) {
        const x = between(groups[a]!, groups[b]!);
        if (x < best) [best, pair] = [x, [a, b]];
      }
    heights.push(best);
    const [a, b] = pair;
    groups = [...groups.filter((_, g) => g !== a && g !== b), [...groups[a]!, ...groups[b]!]];
  }
  return heights;
}

test("the nearest-neighbour chain merges at the heights the textbook average linkage merges at", () => {
  // Distinct distances leave no ties, so the merges are unique and the two must agree on every height.
  fc.assert(
    fc.property(
      fc.integer({min: 2, max: 20}).chain((m) =>
        fc.tuple(
          fc.uniqueArray(fc.integer({min: 1, max: 1_000_000}), {
            minLength: (m * (m - 1)) / 2,
            maxLength: (m * (m - 1)) / 2
          }),
          fc.array(fc.integer({min: 1, max: 9}), {minLength: m, maxLength: m})
        )
      ),
      ([upper, weight]) => {
        const m = weight.length;
        const d = Array.from({length: m}, () => new Array<number>(m).fill(0));
        let k = 0;
        for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) d[a]![b] = d[b]![a] = upper[k++]! / 1_000_000;
        const flat = Float64Array.from(d.flat());
        const heights = averageLinkage(flat, weight).map(([, , h]) => h);
        const expected = referenceHeights(d, weight);
        assert.equal(heights.length, m - 1);
        heights.sort((x, y) => x - y);
        expected.sort((x, y) => x - y);
        heights.forEach((h, i) => assert.ok(Math.abs(h - expected[i]!) < 1e-9, `${h} against ${expected[i]}`));
      }
    ),
    {numRuns: 300, seed: 7}
  );
});
