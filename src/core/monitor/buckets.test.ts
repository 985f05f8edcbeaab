import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {bucketRange, bucketStart, bucketUnit} from "./buckets.js";

const at = (iso: string) => Date.parse(iso);

describe("time buckets", () => {
  test("two days of data or less is bucketed by the hour, 90 days by the day, two years by the week, more by the month", () => {
    assert.equal(bucketUnit(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z")), "hour");
    assert.equal(bucketUnit(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:01Z")), "day");
    assert.equal(bucketUnit(at("2026-11-01T05:00:00Z"), at("2026-11-01T05:00:00Z")), "hour");
    assert.equal(bucketUnit(at("2026-01-01T00:00:00Z"), at("2026-04-01T00:00:00Z")), "day");
    assert.equal(bucketUnit(at("2026-01-01T00:00:00Z"), at("2026-04-02T00:00:00Z")), "week");
    assert.equal(bucketUnit(at("2018-12-13T00:00:00Z"), at("2026-12-06T00:00:00Z")), "month");
  });

  test("a time falls in the UTC hour or day that holds it", () => {
    assert.equal(bucketStart(at("2026-11-01T05:59:59.999Z"), "hour"), at("2026-11-01T05:00:00Z"));
    assert.equal(bucketStart(at("2026-11-01T06:00:00Z"), "hour"), at("2026-11-01T06:00:00Z"));
    assert.equal(bucketStart(at("2026-11-01T23:59:59Z"), "day"), at("2026-11-01T00:00:00Z"));
    // 2026-12-06 is a Sunday; its week began on Monday the 30th of November.
    assert.equal(bucketStart(at("2026-12-06T23:00:00Z"), "week"), at("2026-11-30T00:00:00Z"));
    assert.equal(bucketStart(at("2026-11-30T00:00:00Z"), "week"), at("2026-11-30T00:00:00Z"));
    assert.equal(bucketStart(at("2026-02-28T12:00:00Z"), "month"), at("2026-02-01T00:00:00Z"));
  });

  test("the range holds every bucket between the first and last time, empty ones included", () => {
    assert.deepEqual(bucketRange(at("2026-11-01T05:30:00Z"), at("2026-11-01T08:10:00Z"), "hour"), [
      at("2026-11-01T05:00:00Z"),
      at("2026-11-01T06:00:00Z"),
      at("2026-11-01T07:00:00Z"),
      at("2026-11-01T08:00:00Z")
    ]);
    assert.equal(bucketRange(at("2026-11-01T12:00:00Z"), at("2026-11-10T01:00:00Z"), "day").length, 10);
    assert.deepEqual(bucketRange(at("2026-01-31T00:00:00Z"), at("2026-03-01T00:00:00Z"), "month"), [
      at("2026-01-01T00:00:00Z"),
      at("2026-02-01T00:00:00Z"),
      at("2026-03-01T00:00:00Z")
    ]);
  });
});
