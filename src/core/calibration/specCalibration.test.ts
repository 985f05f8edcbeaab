import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {calibrationOf, heldOutCalibration, specTrustStatus} from "./specCalibration.js";
import {trustText} from "./trust.js";
import {labelDrift} from "./labelDrift.js";

const pairs = (tp: number, fp: number, fn: number, tn: number) => [
  ...Array.from({length: tp}, () => ({human: "fail" as const, judge: "fail" as const})),
  ...Array.from({length: fp}, () => ({human: "pass" as const, judge: "fail" as const})),
  ...Array.from({length: fn}, () => ({human: "fail" as const, judge: "pass" as const})),
  ...Array.from({length: tn}, () => ({human: "pass" as const, judge: "pass" as const}))
];
const options = {
  evaluatorVersion: "1.0.0+aaaaaaaaaaaa",
  criterion: "overall",
  labels: "test",
  split: "held-out" as const,
  measuredAt: "2026-01-01T00:00:00Z"
};

describe("spec calibration", () => {
  test("records the confusion matrix, the MCC and its interval", () => {
    const c = calibrationOf(pairs(40, 5, 10, 45), options);
    assert.deepEqual(c.confusion, {tp: 40, fp: 5, fn: 10, tn: 45});
    // (40·45 − 5·10) / sqrt(45·50·55·50)
    assert.ok(Math.abs(c.mcc! - 1750 / Math.sqrt(45 * 50 * 55 * 50)) < 1e-12);
    assert.ok(c.mccInterval![0] < c.mcc! && c.mcc! < c.mccInterval![1]);
  });

  test("an undefined MCC is null with the reason", () => {
    const c = calibrationOf(pairs(0, 0, 0, 10), options);
    assert.equal(c.mcc, null);
    assert.match(c.mccUndefined!, /./);
    assert.equal(specTrustStatus(c, options.evaluatorVersion).status, "uncalibrated");
  });

  test("figures of the current version set the status; figures of an older version leave it uncalibrated", () => {
    const c = calibrationOf(pairs(40, 5, 10, 45), options);
    assert.equal(specTrustStatus(c, options.evaluatorVersion).status, "blocks");
    const stale = specTrustStatus(c, "1.1.0+bbbbbbbbbbbb");
    assert.equal(stale.status, "uncalibrated");
    assert.match(stale.reason, /1\.0\.0\+aaaaaaaaaaaa/);
    assert.equal(specTrustStatus(undefined, "x").status, "uncalibrated");
    assert.equal(
      specTrustStatus(calibrationOf(pairs(25, 10, 25, 40), options), options.evaluatorVersion).status,
      "not-trusted"
    );
  });
});

describe("specTrustStatus(calibration, version, policy)", () => {
  const status = (tp: number, fp: number, fn: number, tn: number, policy?: Parameters<typeof specTrustStatus>[2]) =>
    specTrustStatus(calibrationOf(pairs(tp, fp, fn, tn), options), options.evaluatorVersion, policy);

  test("n = 5 all correct blocks on the point, but only reports, with weak evidence, under the interval policy", () => {
    const c = calibrationOf(pairs(2, 0, 0, 3), options);
    assert.equal(c.mcc, 1);
    assert.ok(c.mccInterval![0] < 0.4, `recorded interval ${c.mccInterval}`);
    assert.equal(c.mccIntervalUndefined, 0);
    assert.equal(status(2, 0, 0, 3, {mode: "point", minPerClass: 20}).status, "blocks");
    const interval = status(2, 0, 0, 3);
    assert.equal(interval.status, "reports");
    assert.equal(interval.weakEvidence, true);
    assert.match(trustText(interval, 1), /^reports \(weak evidence: .*only 2 human-labelled failures/);
    assert.match(interval.reason, /MCC 1\.000 \[0\.\d\d, 0\.\d\d\] on held-out labels \(n 5: 2 fail, 3 pass\)/);
  });

  test("under the interval policy, a strong MCC on enough labels of each class still blocks", () => {
    const strong = status(40, 5, 10, 45);
    assert.equal(strong.status, "blocks");
    assert.equal(strong.weakEvidence, false);
    assert.equal(trustText(strong, 0.7), "blocks");
  });

  test("too few labels of one class hold back an evaluator whose interval alone would do", () => {
    // 15 failures, all caught; interval well above 0.4, but fewer than 20 failures.
    const few = status(15, 2, 0, 200);
    assert.equal(few.status, "reports");
    assert.ok(few.warnings.some((w) => /only 15 human-labelled failures/.test(w)));
    assert.equal(status(15, 2, 0, 200, {mode: "interval", minPerClass: 10}).status, "blocks");
  });

  test("the interval is recomputed from the matrix, so a spec with an old bootstrap interval is judged honestly", () => {
    const old = {...calibrationOf(pairs(2, 0, 0, 3), options), mccInterval: [1, 1] as [number, number]};
    delete old.mccIntervalUndefined;
    assert.equal(specTrustStatus(old, options.evaluatorVersion).status, "reports");
  });

  test("a negative MCC asks whether the verdict is inverted", () => {
    const inverted = status(5, 40, 45, 10);
    assert.equal(inverted.status, "not-trusted");
    assert.equal(trustText(inverted, -0.7), "not-trusted (worse than chance: is the verdict inverted?)");
  });
});

describe("heldOutCalibration(evidence, population, options)", () => {
  const traced = (prefix: string, list: ReturnType<typeof pairs>) =>
    list.map((p, i) => ({...p, traceId: `${prefix}${i}`}));
  // 10 in-sample traces the evaluator gets all right, 20 held-out ones it gets half right.
  const learned = traced("train-", pairs(5, 0, 0, 5));
  const heldOut = traced("held-", pairs(5, 5, 5, 5));
  const otherMode = traced("other-", pairs(0, 3, 0, 7));
  const inSample = new Set(learned.map((p) => p.traceId));
  const {split: _s, ...base} = options;

  test("leaves the traces learned from out of the evidence and reports them apart", () => {
    const {calibration, inSample: apart} = heldOutCalibration([...learned, ...heldOut], [], {...base, inSample});
    assert.deepEqual(calibration.confusion, {tp: 5, fp: 5, fn: 5, tn: 5});
    assert.equal(calibration.mcc, 0);
    assert.equal(calibration.split, "held-out");
    assert.deepEqual(apart, {tp: 5, fp: 0, fn: 0, tn: 5});
  });

  test("the population counts other failure modes as passes, also without the traces learned from", () => {
    const {calibration} = heldOutCalibration(heldOut, [...learned, ...heldOut, ...otherMode], {...base, inSample});
    assert.deepEqual(calibration.population, {tp: 5, fp: 8, fn: 5, tn: 12});
  });

  test("with nothing learned from, every label counts and the split says all; the training record is kept", () => {
    const previous = calibrationOf(pairs(1, 0, 0, 1), {...options, train: {n: 9, mcc: 1, traceIds: ["a"]}});
    const {calibration} = heldOutCalibration(heldOut, heldOut, {...base, inSample: new Set(), previous});
    assert.equal(calibration.split, "all");
    assert.deepEqual(calibration.train, {n: 9, mcc: 1, traceIds: ["a"]});
  });
});

describe("labelDrift(recorded, current)", () => {
  const recorded = {...calibrationOf(pairs(45, 5, 5, 45), options), labelSet: "overall@aaa"};
  test("says nothing while the label set is the one the figures were measured on", () => {
    const same = {...calibrationOf(pairs(10, 40, 40, 10), options), labelSet: "overall@aaa"};
    assert.equal(labelDrift(recorded, same), null);
  });
  test("says nothing when new labels leave the MCC within half the interval and the status unchanged", () => {
    const close = {...calibrationOf(pairs(46, 5, 5, 45), options), labelSet: "overall@bbb"};
    assert.equal(labelDrift(recorded, close), null);
  });
  test("warns when new labels move the status, with the new MCC, n and what to run", () => {
    const worse = {...calibrationOf(pairs(40, 13, 10, 37), options), labelSet: "overall@bbb"};
    assert.match(
      labelDrift(recorded, worse)!,
      /^labels changed since 2026-01-01: MCC now 0\.54\d on n 100 .*blocks → reports\); run `plumbline calibrate update`$/
    );
  });
  test("reads statuses under the trust policy: more labels that turn weak evidence strong are news", () => {
    const weak = {...calibrationOf(pairs(8, 7, 0, 18), options), labelSet: "overall@aaa"};
    const more = {...calibrationOf(pairs(30, 10, 2, 60), options), labelSet: "overall@bbb"};
    assert.match(labelDrift(weak, more)!, /MCC now 0\.75\d on n 102 .*reports → blocks\)/);
    assert.equal(labelDrift(weak, more, {mode: "point", minPerClass: 20}), null, "on the point alone both block");
  });
});
