import assert from "node:assert/strict";
import {test} from "node:test";
import {
  clusterName,
  DEFAULT_EVIDENCE_WEIGHTS,
  evidenceText,
  evidenceTokens,
  NO_EVIDENCE,
  roleWords,
  wordsAndPhrases
} from "./evidence.js";

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

test("who acted at the first failure and who answered count as weighted agent tokens, the turns around it by speaker", () => {
  const tokens = evidenceTokens({
    ...NO_EVIDENCE,
    actingAgent: "DataAnalysis_Expert",
    aroundFailure: [
      {speaker: "DataAnalysis_Expert", text: "reading the vendor sheet with pandas"},
      {speaker: "Computer_terminal", text: "exitcode: 1 (execution failed)"}
    ],
    finalAnswer: "Rainforest Bistro pays least",
    answeredBy: "Verification_Expert"
  });
  const count = (t: string) => tokens.filter((x) => x === t).length;
  assert.equal(count("acted:DataAnalysis_Expert"), DEFAULT_EVIDENCE_WEIGHTS.agent);
  assert.equal(count("answered:Verification_Expert"), DEFAULT_EVIDENCE_WEIGHTS.agent);
  assert.deepEqual(
    tokens.filter((t) => t.startsWith("spoke:")),
    ["spoke:DataAnalysis_Expert", "spoke:Computer_terminal"]
  );
  // The around-turns' words and the final answer's phrases are left to the text, not the tokens.
  assert.ok(!tokens.includes("pandas") && !tokens.includes("execution"));
  assert.ok(tokens.includes("rainforest") && !tokens.includes("rainforest bistro"));
});

test("an agent's name splits into its role words wherever its writer joined them", () => {
  assert.deepEqual(roleWords("DataVerification_Expert"), ["data", "verification", "expert"]);
  assert.deepEqual(roleWords("Vegan_Food_Expert"), ["vegan", "food", "expert"]);
  assert.deepEqual(roleWords("WebSurfer"), ["web", "surfer"]);
  assert.deepEqual(roleWords("Computer_terminal"), ["computer", "terminal"]);
});

test("the team, the last agent and the role words of who acted and who answered count by their weights", () => {
  const evidence = {
    ...NO_EVIDENCE,
    actingAgent: "DataAnalysis_Expert",
    answeredBy: "Verification_Expert",
    team: ["Computer_terminal", "DataAnalysis_Expert", "Verification_Expert"],
    lastAgent: "Verification_Expert"
  };
  const count = (tokens: string[], t: string) => tokens.filter((x) => x === t).length;
  const shipped = evidenceTokens(evidence);
  assert.equal(count(shipped, "last:Verification_Expert"), DEFAULT_EVIDENCE_WEIGHTS.agent);
  assert.equal(count(shipped, "team:Computer_terminal"), DEFAULT_EVIDENCE_WEIGHTS.team);
  assert.equal(count(shipped, "role:verification"), DEFAULT_EVIDENCE_WEIGHTS.roleWords);
  // Both named agents are experts; the code runner in the team lends no role words.
  assert.equal(count(shipped, "role:expert"), 2 * DEFAULT_EVIDENCE_WEIGHTS.roleWords);
  assert.equal(count(shipped, "role:terminal"), 0);
  const lean = evidenceTokens(evidence, {agent: 1, team: 0, roleWords: 0});
  assert.equal(count(lean, "last:Verification_Expert"), 1);
  assert.ok(!lean.some((t) => t.startsWith("team:") || t.startsWith("role:")));
  assert.equal(
    evidenceText(evidence),
    "acting agent: DataAnalysis_Expert\nteam: Computer_terminal, DataAnalysis_Expert, Verification_Expert\n" +
      "last agent: Verification_Expert"
  );
});
