import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import {exactNeighbours} from "./neighbours.js";

const normalised = (row: number[]) => {
  const norm = Math.hypot(...row);
  return norm > 0 ? row.map((v) => v / norm) : row;
};

/** Rows of `width` terms, each present with chance one in `every`: dense rows take one path, sparse rows another. */
const rowsOf = (width: number, every: number) =>
  fc
    .integer({min: 2, max: 30})
    .chain((n) =>
      fc.array(
        fc.array(
          fc.oneof(
            {weight: every - 1, arbitrary: fc.constant(0)},
            {weight: 1, arbitrary: fc.double({min: 0.01, max: 1, noNaN: true})}
          ),
          {minLength: width, maxLength: width}
        ),
        {minLength: n, maxLength: n}
      )
    );

for (const [kind, width, every] of [
  ["dense", 6, 1],
  ["sparse", 40, 10]
] as const)
  test(`the neighbours of ${kind} rows are the nearest by Euclidean distance, the row itself first`, () => {
    fc.assert(
      fc.property(rowsOf(width, every), fc.integer({min: 1, max: 10}), (raw, k) => {
        const rows = raw.map(normalised);
        const found = exactNeighbours(rows, k);
        rows.forEach((row, i) => {
          const distance = (j: number) => Math.hypot(...row.map((v, d) => v - rows[j]![d]!));
          const want = Math.min(k, rows.length);
          assert.equal(found.indices[i]!.length, want);
          assert.equal(found.indices[i]![0], i);
          assert.equal(found.distances[i]![0], 0);
          // Ties may fall either way, so compare the distances, then check each named row is that far.
          const expected = rows
            .map((_, j) => j)
            .filter((j) => j !== i)
            .map(distance)
            .sort((a, b) => a - b)
            .slice(0, want - 1);
          found.distances[i]!.slice(1).forEach((d, p) => {
            assert.ok(Math.abs(d - expected[p]!) < 1e-9, `row ${i}: ${d} against ${expected[p]}`);
            assert.ok(Math.abs(d - distance(found.indices[i]![p + 1]!)) < 1e-9);
          });
        });
      }),
      {numRuns: 200, seed: 3}
    );
  });

test("equally near rows are listed lower index first", () => {
  const rows = [
    [1, 0],
    [0, 1],
    [0, 1],
    [0, 1]
  ];
  assert.deepEqual(exactNeighbours(rows, 3).indices[0], [0, 1, 2]);
  assert.deepEqual(exactNeighbours(rows, 3).indices[3], [3, 1, 2]);
});
