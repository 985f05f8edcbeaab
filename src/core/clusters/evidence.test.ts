import assert from "node:assert/strict";
import {test} from "node:test";
import {clusterName, evidenceText, evidenceTokens, NO_EVIDENCE, wordsAndPhrases} from "./evidence.js";

test("two instances of one error share their evidence words, and ids and numbers are not words", () => {
  const a = evidenceTokens({...NO_EVIDENCE, errors: ["Error: flight HAT030 not available on date 2024-05-13"]});
  const b = evidenceTokens({...NO_EVIDENCE, errors: ["flight HAT251 not available on date 2024-05-20"]});
  assert.deepEqual(a, b);
  assert.deepEqual(a, ["flight", "available", "date", "flight available", "available date"]);
});

test("phrases join neighbouring words of one text only", () => {
  assert.deepEqual(wordsAndPhrases("refund denied"), ["refund", "denied", "refund denied"]);
  const tokens = evidenceTokens({...NO_EVIDENCE, errors: ["refund"], finalAnswer: "denied"});
  assert.ok(!tokens.includes("refund denied"));
});

test("the evidence text labels each part, and a name prefers phrases without repeating their words", () => {
  assert.equal(
    evidenceText({...NO_EVIDENCE, errors: ["boom"], finalAnswer: "sorry", judgeReasoning: ["wrong total"]}),
    "error: boom\nfinal answer: sorry\njudge: wrong total"
  );
  assert.equal(
    clusterName(["payment", "payment amount", "amount", "declined", "card declined"]),
    "payment amount, card declined"
  );
  assert.equal(clusterName(["refund", "ledger"]), "refund, ledger");
});
