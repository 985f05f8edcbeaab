import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {after, before, describe, test} from "node:test";
import {evidenceText, evidenceTokens} from "../../src/core/clusters/evidence.js";
import {traceInfo, type Feedback, type Message} from "../../src/core/schemas/trace.js";
import {writeFixtureWorkspace, type FixtureTrace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";
import {DEFAULT_EVIDENCE_OPTIONS, readTraceEvidence} from "./clusterInputs.js";
import {withConnection, withReadConnection} from "./db.js";

/**
 * A multi-agent run whose tools record nothing, as Who&When's are: the task names an error it may meet (the first
 * message reports no failure), an analyst's code fails in the code runner, and a verifier gives the final answer.
 * People blamed `blamed` at step `step`. With `runnerLast`, the code runner prints once more after the verifier.
 */
function multiAgentRun(traceId: string, blamed: string, step: number, runnerLast = false): FixtureTrace {
  const turns: [Message["role"], string | null, string][] = [
    ["user", null, "Which vendor pays the least rent? Watch for an error in the sheet."],
    ["assistant", "Planner", "DataAnalysis_Expert, please read the vendor sheet."],
    [
      "assistant",
      "DataAnalysis_Expert",
      "```python\nimport pandas as pd\nprint(pd.read_excel('vendors.xlsx')['Rent'])\n```"
    ],
    ["user", "Computer_terminal", "exitcode: 1 (execution failed)\nCode output: KeyError: 'Rent'"],
    ["assistant", "DataAnalysis_Expert", "The header is on the second row; reading it again."],
    ["assistant", "Verification_Expert", "Rainforest Bistro pays the least rent. TERMINATE"]
  ];
  if (runnerLast) turns.push(["user", "Computer_terminal", "exitcode: 0 (execution succeeded)"]);
  const messages = turns.map(([role, name, content], index): Message => ({
    traceId,
    spanId: null,
    index,
    direction: "transcript",
    turn: index,
    role,
    name,
    content,
    toolCallId: null
  }));
  const base = {traceId, spanId: null, value: null, label: null, comment: "the code reads a column that is not there"};
  const feedback: Feedback[] = [
    {...base, name: "mistake_agent", label: blamed, source: "human"},
    {...base, name: "mistake_step", value: step, source: "human"},
    {...base, name: "outcome", value: 0, label: "fail", comment: null, source: "dataset"}
  ];
  return {format: "who-and-when", info: traceInfo(traceId), spans: [], messages, toolCalls: [], feedback};
}

describe("the evidence of a multi-agent run", () => {
  let workspace: string;
  before(async () => {
    workspace = tempDir("evidence");
    await writeFixtureWorkspace(workspace, [
      multiAgentRun("run-a", "DataAnalysis_Expert", 2),
      multiAgentRun("run-b", "Verification_Expert", 5),
      multiAgentRun("run-c", "Verification_Expert", 5, true)
    ]);
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  const read = (ids: string[]) =>
    withReadConnection(workspace, (c) => readTraceEvidence(c, ids, {...DEFAULT_EVIDENCE_OPTIONS, annotations: false}));

  test("names the agent whose code failed, the speakers around the failure, and who gave the final answer", async () => {
    const evidence = (await read(["run-a"])).get("run-a")!;
    assert.equal(evidence.actingAgent, "DataAnalysis_Expert");
    assert.deepEqual(
      evidence.aroundFailure.map((m) => m.speaker),
      ["DataAnalysis_Expert", "Computer_terminal", "DataAnalysis_Expert"]
    );
    assert.match(evidence.aroundFailure[1]!.text, /^exitcode: 1/);
    assert.equal(evidence.answeredBy, "Verification_Expert");
    assert.match(evidenceText(evidence), /^acting agent: DataAnalysis_Expert\n/);
    assert.match(evidenceText(evidence), /final answer by Verification_Expert: Rainforest Bistro/);
  });

  test("names the team and the last agent to speak, never the code runner, which only reports what it ran", async () => {
    const evidence = await read(["run-a", "run-c"]);
    for (const id of ["run-a", "run-c"]) {
      assert.deepEqual(evidence.get(id)!.team, [
        "Computer_terminal",
        "DataAnalysis_Expert",
        "Planner",
        "Verification_Expert"
      ]);
      assert.equal(evidence.get(id)!.lastAgent, "Verification_Expert");
    }
    assert.match(evidenceText(evidence.get("run-a")!), /\nlast agent: Verification_Expert$/);
  });

  test("is the same whoever people blamed: the labels it is scored against are never read", async () => {
    const before = await read(["run-a", "run-b"]);
    assert.equal(evidenceText(before.get("run-a")!), evidenceText(before.get("run-b")!));
    assert.deepEqual(evidenceTokens(before.get("run-a")!), evidenceTokens(before.get("run-b")!));
    // Change what people blamed in place; the evidence does not move.
    await withConnection(workspace, async (c) => {
      await c.run(
        "UPDATE feedback SET label = 'Reviewer', comment = 'the plan was wrong' WHERE name = 'mistake_agent'"
      );
      await c.run("UPDATE feedback SET value = 1 WHERE name = 'mistake_step'");
    });
    const after = await read(["run-a", "run-b"]);
    assert.deepEqual(after, before);
    assert.ok(!evidenceText(after.get("run-a")!).includes("Reviewer"));
    // The parts that name agents are read from the transcript alone.
    assert.equal(after.get("run-a")!.lastAgent, "Verification_Expert");
    assert.ok(!evidenceTokens(after.get("run-a")!).some((t) => t.includes("Reviewer")));
  });
});
