import assert from "node:assert/strict";
import {test} from "node:test";
import {NOW_ENV, pagesNow} from "./pagesClock.js";

const clock = () => 1_000;

test("the pages are built as of the clock unless PLUMBLINE_NOW pins a time", () => {
  assert.equal(pagesNow({}, clock), 1_000);
  assert.equal(pagesNow({[NOW_ENV]: ""}, clock), 1_000);
  assert.equal(pagesNow({[NOW_ENV]: "2026-02-10T12:00:00Z"}, clock), Date.UTC(2026, 1, 10, 12));
});

test("a PLUMBLINE_NOW that is not a time is refused with an example of one, not read as the clock", () => {
  assert.throws(
    () => pagesNow({[NOW_ENV]: "yesterday"}, clock),
    /PLUMBLINE_NOW=yesterday is not a time: give one like 2026-/
  );
});
