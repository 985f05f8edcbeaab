import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {readSharedJson} from "../../../loaders/fixtures/sharedData.js";
import {krippendorffAlpha} from "./alpha.js";
import {cohenKappa} from "./kappa.js";
import {fleissKappa} from "./fleiss.js";
import {agreementByCriterion} from "./perCriterion.js";

const close = (actual: number | null, expected: number, digits: number) =>
  assert.ok(
    actual !== null && Math.abs(actual - expected) < 0.5 * 10 ** -digits,
    `${actual} is not ${expected} to ${digits} places`
  );

describe("cohenKappa(a, b)", () => {
  test("matches the textbook yes/no example: 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no gives 0.4", () => {
    // p_o = 35/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
    const a = [...Array(25).fill("yes"), ...Array(25).fill("no")];
    const b = [...Array(20).fill("yes"), ...Array(5).fill("no"), ...Array(10).fill("yes"), ...Array(15).fill("no")];
    const result = cohenKappa(a, b);
    close(result.kappa, 0.4, 10);
    close(result.observed, 0.7, 10);
    close(result.expected, 0.5, 10);
  });

  test("matches a three-category example computed by hand", () => {
    // Table (rows a, columns b) over categories x, y, z: [[4, 1, 0], [1, 3, 1], [0, 0, 2]], n = 12.
    // p_o = 9/12 = 0.75; row margins 5, 5, 2; column margins 5, 4, 3;
    // p_e = (25 + 20 + 6)/144 = 51/144; kappa = (0.75 − 51/144)/(1 − 51/144) = 57/93.
    const cells: [string, string, number][] = [
      ["x", "x", 4],
      ["x", "y", 1],
      ["y", "x", 1],
      ["y", "y", 3],
      ["y", "z", 1],
      ["z", "z", 2]
    ];
    const a = cells.flatMap(([x, , n]) => Array(n).fill(x));
    const b = cells.flatMap(([, y, n]) => Array(n).fill(y));
    close(cohenKappa(a, b).kappa, 57 / 93, 12);
  });

  test("leaves out items either annotator skipped, and is undefined with its reason when both used one category", () => {
    assert.equal(cohenKappa([true, null, false], [true, false, null]).n, 1);
    const result = cohenKappa(["pass", "pass"], ["pass", "pass"]);
    assert.equal(result.kappa, null);
    assert.match(result.reason!, /single, identical category/);
  });
});

describe("krippendorffAlpha(units, level)", () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers, twelve units,
  // missing values; published alpha 0.743 (nominal) and 0.849 (interval).
  const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null];
  const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3];
  const C = [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null];
  const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null];
  const units = A.map((_, u) => [A[u]!, B[u]!, C[u]!, D[u]!]);

  test("reproduces Krippendorff's published example with missing values: 0.743 nominal, 0.849 interval", () => {
    const nominal = krippendorffAlpha(units, "nominal");
    close(nominal.alpha, 0.743, 3);
    // The unit rated once (unit 12) is not pairable: 40 pairable values in 11 units, as in the paper.
    assert.equal(nominal.pairable, 40);
    assert.equal(nominal.units, 11);
    close(krippendorffAlpha(units, "interval").alpha, 0.849, 3);
  });

  test("is 1 for perfect agreement and undefined when every rating is the same", () => {
    assert.equal(
      krippendorffAlpha([
        ["a", "a"],
        ["b", "b", null]
      ]).alpha,
      1
    );
    assert.equal(
      krippendorffAlpha([
        ["a", "a"],
        ["a", "a"]
      ]).alpha,
      null
    );
  });
});

describe("agreement on the PandaLM test set (999 items, three annotators)", () => {
  const items = readSharedJson("pandalm", "testset-v1.json") as {
    idx: number;
    annotator1: number;
    annotator2: number;
    annotator3: number;
  }[];
  const labels = items.flatMap((item) =>
    (["annotator1", "annotator2", "annotator3"] as const).map((annotator) => ({
      traceId: String(item.idx),
      criterion: "preference",
      annotator,
      value: item[annotator]
    }))
  );
  const [preference] = agreementByCriterion(labels);

  test("pairwise Cohen's kappa matches the published 0.85, 0.88 and 0.86 (recomputed 0.8520, 0.8789, 0.8617)", () => {
    const kappa = Object.fromEntries(preference!.pairs.map((p) => [`${p.a}-${p.b}`, p.kappa.kappa]));
    close(kappa["annotator1-annotator2"]!, 0.852, 4);
    close(kappa["annotator1-annotator3"]!, 0.8789, 4);
    close(kappa["annotator2-annotator3"]!, 0.8617, 4);
  });

  test("Krippendorff's alpha (nominal) is 0.8642, and the 120 split items are the disagreements", () => {
    close(preference!.alpha.alpha, 0.864221, 6);
    assert.equal(preference!.items, 999);
    assert.equal(preference!.disagreements.length, 120);
  });
});

describe("fleissKappa(items)", () => {
  // Fleiss (1971), as reproduced in most textbooks: 10 subjects, 14 raters, 5 categories; kappa 0.210.
  const counts = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7]
  ];
  const items = counts.map((row) => row.flatMap((n, category) => Array<string>(n).fill(`c${category + 1}`)));

  test("reproduces the classic 14-rater example: 0.210", () => {
    const kappa = fleissKappa(items);
    assert.ok("value" in kappa);
    close(kappa.value, 0.21, 3);
  });

  test("is undefined with its reason when everyone used one category, and refuses items of unequal size", () => {
    assert.deepEqual(
      fleissKappa([
        ["a", "a"],
        ["a", "a"]
      ]),
      {
        undefined: "every rating has the same category, so chance agreement is total"
      }
    );
    assert.deepEqual(fleissKappa([]), {undefined: "no item was rated by every rater"});
    assert.throws(() => fleissKappa([["a", "b"], ["a"]]), /same number of ratings/);
  });
});
