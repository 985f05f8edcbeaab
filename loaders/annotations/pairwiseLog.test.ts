import assert from "node:assert/strict";
import {appendFileSync, readFileSync} from "node:fs";
import {test} from "node:test";
import {blindOrder} from "../../src/core/pairwise/blind.js";
import {pairIdOf} from "../../src/core/pairwise/review.js";
import {tempDir} from "../fixtures/tempDir.js";
import {openPairwiseReview, pairwiseLogPath, readPairwiseChoices} from "./pairwiseLog.js";

const experiments: [string, string] = ["tau-fixed", "tau-regressed"];
const pick = (reviewer: string, caseId: string, choice: "A" | "B" | "tie" = "A", explanation?: string) => ({
  experiments,
  caseId,
  reviewer,
  order: blindOrder(reviewer, pairIdOf(experiments, caseId)),
  choice,
  ...(explanation ? {explanation} : {})
});

test("two reviewers choosing at once through two writers lose nothing, and a reopened log holds every choice", async (t) => {
  const workspace = tempDir("pairwise-log", t);
  const ana = openPairwiseReview({workspace});
  const bo = openPairwiseReview({workspace});
  await Promise.all(
    Array.from({length: 40}, (_, i) => [
      ana.choose(pick("ana", `case-${i}`, "A", `ana ${i}`)),
      bo.choose(pick("bo", `case-${i}`, "B"))
    ]).flat()
  );
  // Each writer's reads follow the other's appends.
  assert.equal(ana.current(experiments).length, 80);
  assert.equal(bo.current().length, 80);
  await Promise.all([ana.close(), bo.close()]);
  const reopened = openPairwiseReview({workspace});
  const current = reopened.current(experiments);
  assert.equal(current.length, 80);
  assert.deepEqual(reopened.problems, []);
  const anaChoice = current.find((c) => c.reviewer === "ana" && c.caseId === "case-7")!;
  assert.equal(anaChoice.explanation, "ana 7");
  assert.equal(anaChoice.preferred, anaChoice.order === "1-first" ? "tau-fixed" : "tau-regressed");
  await reopened.close();
  assert.equal(readFileSync(pairwiseLogPath(workspace), "utf8").trim().split("\n").length, 80);
});

test("a choice made again replaces the earlier one for that reviewer, and both events stay in the log", async (t) => {
  const workspace = tempDir("pairwise-again", t);
  const review = openPairwiseReview({workspace});
  await review.choose(pick("ana", "case-1", "A"));
  await review.choose(pick("ana", "case-1", "tie"));
  assert.deepEqual(
    review.current().map((c) => c.shown),
    ["tie"]
  );
  await review.close();
  assert.equal(readPairwiseChoices(workspace).choices.length, 2);
});

test("a choice that breaks the schema or the reviewer's blind order is refused with a status 400 error and not written", async (t) => {
  const workspace = tempDir("pairwise-refused", t);
  const review = openPairwiseReview({workspace});
  const wrongOrder = {
    ...pick("ana", "case-1"),
    order: pick("ana", "case-1").order === "1-first" ? "2-first" : "1-first"
  };
  await assert.rejects(review.choose(wrongOrder), (error: Error & {status?: number}) => {
    assert.match(error.message, /reload the page/);
    assert.equal(error.status, 400);
    return true;
  });
  await assert.rejects(review.choose({...pick("ana", "case-1"), reviewer: ""}), /invalid pairwise choice/);
  await review.close();
  assert.deepEqual(readPairwiseChoices(workspace).choices, []);
});

test("a torn last line, as a writer killed mid-write leaves, is reported and the next choice starts a line of its own", async (t) => {
  const workspace = tempDir("pairwise-torn", t);
  const first = openPairwiseReview({workspace});
  const kept = await first.choose(pick("ana", "case-1"));
  await first.close();
  appendFileSync(pairwiseLogPath(workspace), JSON.stringify(kept).slice(0, 50));
  const second = openPairwiseReview({workspace});
  assert.deepEqual(
    second.problems.map((p) => [p.line, p.torn]),
    [[2, true]]
  );
  await second.choose(pick("bo", "case-1"));
  await second.close();
  const {choices, problems} = readPairwiseChoices(workspace);
  assert.deepEqual(
    choices.map((c) => c.reviewer),
    ["ana", "bo"]
  );
  assert.deepEqual(
    problems.map((p) => p.line),
    [2]
  );
});
