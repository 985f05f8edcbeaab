import assert from "node:assert/strict";
import {test} from "node:test";
import {showsFailure} from "./failureCue.js";

test("a failed exit code, a traceback, an error and an orchestrator's no-progress note read as failures", () => {
  for (const text of [
    "exitcode: 1 (execution failed)\nCode output: KeyError: 'Rent'",
    'Traceback (most recent call last):\n  File "x.py", line 3',
    "The page returned an Error 404.",
    'Updated Ledger: {"is_progress_being_made": {"reason": "the same search again", "answer": false}}',
    '{"is_in_loop": {"reason": "scrolling the same page", "answer": true}}'
  ])
    assert.ok(showsFailure(text), text);
});

test("success, progress and words that merely contain 'error' do not", () => {
  for (const text of [
    "exitcode: 0 (execution succeeded)\nCode output: 42",
    'Updated Ledger: {"is_progress_being_made": {"reason": "found the page", "answer": true}}',
    '{"is_in_loop": {"reason": "new results each time", "answer": false}}',
    "The terrorist attack was in 1993; errorless output follows."
  ])
    assert.ok(!showsFailure(text), text);
});
