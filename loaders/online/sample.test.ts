// The online sample is drawn in the store from a hash of the trace id: the same traces after a restart, the share
// asked for, and another evaluator's traces for another evaluator.
import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {withConnection} from "../store/db.js";
import {dueTraces, type DueSelection} from "../store/online.js";
import {inStoreSample} from "./fixtures.js";

const N = 10_000;
const T0 = new Date("2026-03-01T12:00:00Z");
const ids = Array.from({length: N}, (_, i) => `trace-${i.toString(16).padStart(6, "0")}`);

describe("the online sample", {timeout: 120_000}, () => {
  let workspace = "";
  after(() => removeTempDir(workspace));
  before(async () => {
    workspace = tempDir("online-sample");
    await withConnection(workspace, (c) =>
      c.run(`INSERT INTO traces (trace_id, format, status, ingested_at, span_count, message_count, tool_call_count,
          tool_error_count, feedback_count)
        SELECT 'trace-' || lpad(lower(to_hex(i)), 6, '0'), 'otlp', 'ok', TIMESTAMP '2026-03-01 12:00:00', 1, 0, 0, 0, 0
        FROM range(${N}) r(i)`)
    );
  });

  // Each call opens the store afresh, as a restarted server does.
  const sampled = async (evaluatorId: string, sample: number) => {
    const selection: DueSelection = {
      quietSince: new Date(T0.getTime() + 1000),
      evaluatorId,
      evaluatorVersion: "1.0.0+000000000001",
      sample,
      scope: "trace"
    };
    return (await withConnection(workspace, (c) => dueTraces(c, selection))).map((d) => d.traceId);
  };

  test("takes the same traces after a restart: exactly those the hash of evaluator and trace id puts in the share", async () => {
    const first = await sampled("helpfulness", 0.1);
    const again = await sampled("helpfulness", 0.1);
    assert.deepEqual(again, first);
    assert.deepEqual(
      [...first].sort(),
      ids.filter((id) => inStoreSample(id, "helpfulness", 0.1))
    );
  });

  test("takes the share asked for, within four standard deviations of the binomial, on 10,000 ids", async () => {
    for (const share of [0.01, 0.1, 0.5]) {
      const taken = (await sampled("helpfulness", share)).length;
      const bound = 4 * Math.sqrt(N * share * (1 - share));
      assert.ok(
        Math.abs(taken - N * share) <= bound,
        `${taken} of ${N} at ${share}: more than ${bound} from ${N * share}`
      );
    }
    assert.equal((await sampled("helpfulness", 0)).length, 0);
    assert.equal((await sampled("helpfulness", 1)).length, N);
  });

  test("a larger share keeps the smaller one's traces, and another evaluator samples other traces", async () => {
    const small = await sampled("helpfulness", 0.1);
    const large = new Set(await sampled("helpfulness", 0.3));
    assert.ok(small.every((id) => large.has(id)));
    const other = new Set(await sampled("tone", 0.1));
    const shared = small.filter((id) => other.has(id)).length;
    // Independent draws share about 0.1 × 0.1 of the ids: 100, far from the 1,000 of one shared sample.
    assert.ok(shared < 200, `${shared} ids in both samples`);
  });
});
