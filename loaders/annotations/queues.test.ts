import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {after, before, describe, test} from "node:test";
import {fixtureTraces, message} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {traceInfo, type Message} from "../../src/core/schemas/trace.js";
import {withConnection} from "../store/db.js";
import {readTraceFeatures} from "../store/queueFeatures.js";
import {readQueues, writeRubric} from "./files.js";
import {AIRLINE_RUBRIC} from "../../src/core/annotations/airlineRubric.js";
import {buildQueue} from "./queues.js";
import {openAnnotationService} from "./service.js";
import {tempDir} from "../fixtures/tempDir.js";

const workspace = tempDir("queues");
writeRubric(workspace, AIRLINE_RUBRIC); // labels on its policy_followed criterion
after(() => rmSync(workspace, {recursive: true, force: true}));

function chat(id: string, user: string, request: string, answer: string) {
  const say = (index: number, role: Message["role"], content: string) => message(id, index, {role, content});
  return {
    format: "chat-jsonl" as const,
    info: traceInfo(id, {userId: user, status: "ok"}),
    spans: [],
    toolCalls: [],
    feedback: [],
    messages: [say(0, "user", request), say(1, "assistant", answer)]
  };
}

before(async () => {
  await writeFixtureWorkspace(workspace, [
    ...fixtureTraces(),
    chat("hedge", "u1", "Can I bring a pet?", "I'm not sure, but I think small pets may be allowed."),
    chat("again-1", "u2", "Cancel my booking ABC123", "Done."),
    chat("again-2", "u2", "Cancel my booking ABC123", "Done."),
    chat("judged", "u3", "Upgrade me", "Upgraded."),
    chat("plain", "u4", "Hello", "Hi, how can I help?")
  ]);
  // Judge verdicts and clusters as the judge runner and `plumbline cluster` write them.
  await withConnection(workspace, async (c) => {
    await c.run(`INSERT INTO judge_verdicts (run_id, evaluator_id, evaluator_version, trace_id, outcome, created_at) VALUES
      ('r1', 'policy', '1', 'judged', 'pass', now()), ('r1', 'policy', '1', 'plain', 'error', now()),
      ('r2', 'tone-judge', 't1', 'hedge', 'pass', now()), ('r2', 'policy-judge', 'p1', 'again-1', 'pass', now())`);
    await c.run(`INSERT INTO evaluator_versions (evaluator_id, evaluator_version, criterion, failure_mode, kind, first_seen) VALUES
      ('tone-judge', 't1', 'tone', 'curt replies', 'llm_judge', now()),
      ('policy-judge', 'p1', 'policy_followed', 'policy broken', 'llm_judge', now())`);
    await c.run(`INSERT INTO clusters (cluster_id, kind, name, size, sessions, severity, representative_trace_ids, method, run_id,
      created_at) VALUES ('sig-tool', 'signature', 'KeyError in lookup_order', 40, 40, 1, [], 'signature', 'c1', now()),
      ('sig-judged', 'signature', 'upgrades', 2, 2, 1, [], 'signature', 'c1', now()),
      ('sem-1', 'semantic', 'refunds', 300, 300, 1, [], 'tfidf', 'c1', now())`);
    await c.run(`INSERT INTO trace_clusters (trace_id, cluster_id, kind) VALUES ('trace-refund', 'sig-tool', 'signature'),
      ('trace-refund', 'sem-1', 'semantic'), ('judged', 'sig-judged', 'signature'), ('hedge', 'sig-judged', 'signature')`);
  });
  // A reviewer failed "judged", which the judge passed: a disagreement.
  const service = openAnnotationService({workspace, mirrorDelayMs: 5});
  await service.create({traceId: "judged", criterion: "overall", annotator: "ana", pass: false, source: "reviewer"});
  // A person failed "hedge" overall, which a judge of tone passed: different criteria, no disagreement. A person
  // failed "again-1" on policy, which the policy judge passed: a disagreement on that criterion.
  await service.create({traceId: "hedge", criterion: "overall", annotator: "ana", pass: false, source: "reviewer"});
  await service.create({
    traceId: "again-1",
    criterion: "policy_followed",
    annotator: "ana",
    pass: false,
    source: "reviewer"
  });
  await service.close();
});

describe("queue features from the store", () => {
  test("each signal is read from its table, and contract tables of other parts are used when present", async () => {
    const features = new Map((await withConnection(workspace, readTraceFeatures)).map((f) => [f.traceId, f]));
    const refund = features.get("trace-refund")!;
    assert.equal(refund.toolErrors, 1);
    assert.equal(refund.negativeFeedback, 1, "the thumbs-down feedback row");
    // Only the signature cluster weights the queue; the semantic one is ignored.
    assert.deepEqual([refund.clusterId, refund.clusterSize, refund.clusterEvaluated], ["sig-tool", 40, false]);
    assert.equal(features.get("hedge")!.hedges, 1);
    assert.equal(features.get("again-1")!.resubmissions, 1);
    assert.equal(features.get("plain")!.resubmissions, 0);
    assert.equal(features.get("judged")!.judgeDisagreements, 1);
    assert.equal(features.get("judged")!.clusterEvaluated, true);
    assert.equal(features.get("plain")!.judgeDisagreements, 0, "an errored verdict is not a disagreement");
    assert.equal(
      features.get("hedge")!.judgeDisagreements,
      0,
      "a verdict is compared on its evaluator's criterion only"
    );
    assert.equal(features.get("again-1")!.judgeDisagreements, 1);
  });

  test("without judge_verdicts or clusters tables the same query runs and those signals are zero", async () => {
    const bare = tempDir("queues-bare");
    try {
      await writeFixtureWorkspace(bare, fixtureTraces());
      const features = await withConnection(bare, readTraceFeatures);
      assert.equal(features.length, 4);
      assert.ok(
        features.every((f) => f.judgeDisagreements === 0 && f.clusterId === null && f.clusterEvaluated === null)
      );
    } finally {
      rmSync(bare, {recursive: true, force: true});
    }
  });
});

describe("buildQueue(workspace, connection, request)", () => {
  test("orders by priority with reasons, writes the queue, and growing it never adds a trace twice", async () => {
    const {queue, added} = await withConnection(workspace, (c) =>
      buildQueue(
        workspace,
        c,
        {id: "triage", annotators: ["ana", "bo"], annotatorsPerTrace: 2, size: 5, randomShare: 0.2, seed: 3},
        1000
      )
    );
    assert.equal(added, 5);
    assert.equal(queue.items[0]!.traceId, "trace-refund", "tool error + thumbs down, in a cluster of 40");
    // Six messages where most traces have two is a long session by the robust score.
    assert.deepEqual(
      queue.items[0]!.contributions.map((c) => c.signal),
      ["negative_feedback", "tool_errors", "long_session", "unevaluated_cluster"]
    );
    assert.equal(queue.items.filter((i) => i.random).length, 1);
    assert.deepEqual(
      readQueues(workspace).queues.map((q) => [q.id, q.items.length, q.annotatorsPerTrace]),
      [["triage", 5, 2]]
    );
    const grown = await withConnection(workspace, (c) =>
      buildQueue(workspace, c, {id: "triage", annotators: [], size: 20, randomShare: 0.5}, 2000)
    );
    // 20 asked for, half at random: the four remaining traces the signals skip are all drawn, plus what scores.
    assert.ok(grown.added > 0);
    assert.equal(new Set(grown.queue.items.map((i) => i.traceId)).size, grown.queue.items.length, "no trace twice");
    assert.equal(grown.queue.items.length, 9, "every trace of the workspace, each once");
    assert.deepEqual(grown.queue.items.slice(0, 5), queue.items, "earlier items keep their place");
    assert.equal(grown.queue.createdAt, 1000);
  });

  test("a filter limits the queue to the traces it names", async () => {
    const {queue} = await withConnection(workspace, (c) =>
      buildQueue(
        workspace,
        c,
        {id: "chats", annotators: ["cy"], size: 10, randomShare: 0, filter: {format: "chat-jsonl", minScore: 0.5}},
        1
      )
    );
    // Scores are computed among the filtered traces: the hostile trace's three messages are long among two-message chats.
    assert.deepEqual(queue.items.map((i) => i.traceId).sort(), [
      "again-1",
      "again-2",
      "hedge",
      "judged",
      "trace-hostile"
    ]);
    assert.deepEqual(
      queue.items.find((i) => i.traceId === "trace-hostile")!.contributions.map((c) => c.signal),
      ["long_session"]
    );
  });
});
