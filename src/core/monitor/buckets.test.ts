import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {bucketRange, bucketStart, bucketUnit} from "./buckets.js";

const at = (iso: string) => Date.parse(iso);

describe("time buckets", () => {
  test("two days of data or less is bucketed by the hour, more by the day", () => {
    assert.equal(bucketUnit(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z")), "hour");
    assert.equal(bucketUnit(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:01Z")), "day");
    assert.equal(bucketUnit(at("2026-11-01T05:00:00Z"), at("2026-11-01T05:00:00Z")), "hour");
  });

  test("a time falls in the UTC hour or day that holds it", () => {
    assert.equal(bucketStart(at("2026-11-01T05:59:59.999Z"), "hour"), at("2026-11-01T05:00:00Z"));
    assert.equal(bucketStart(at("2026-11-01T06:00:00Z"), "hour"), at("2026-11-01T06:00:00Z"));
    assert.equal(bucketStart(at("2026-11-01T23:59:59Z"), "day"), at("2026-11-01T00:00:00Z"));
  });

  test("the range holds every bucket between the first and last time, empty ones included", () => {
    assert.deepEqual(bucketRange(at("2026-11-01T05:30:00Z"), at("2026-11-01T08:10:00Z"), "hour"), [
      at("2026-11-01T05:00:00Z"),
      at("2026-11-01T06:00:00Z"),
      at("2026-11-01T07:00:00Z"),
      at("2026-11-01T08:00:00Z")
    ]);
    assert.equal(bucketRange(at("2026-11-01T12:00:00Z"), at("2026-11-10T01:00:00Z"), "day").length, 10);
  });
});
