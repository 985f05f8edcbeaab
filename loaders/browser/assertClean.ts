/** @module The check every browser test makes of a page it loaded: nothing left the machine, failed, or complained. */
import assert from "node:assert/strict";
import type {PageRecord} from "./chromium.js";

export function assertClean(record: PageRecord, page = "the page"): void {
  assert.deepEqual(record.external, [], `${page}: requests left the machine`);
  assert.deepEqual(record.failed, [], `${page}: requests failed`);
  assert.deepEqual(record.consoleErrors, [], `${page}: console errors`);
  assert.deepEqual(record.pageErrors, [], `${page}: uncaught errors`);
  assert.deepEqual(record.cspViolations, [], `${page}: Content-Security-Policy violations`);
}
