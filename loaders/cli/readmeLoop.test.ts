// The README's first turn of the loop, on the demo workspace and the shipped spec: the figures it quotes are the
// held-out ones, and the gate's corrected failure rate agrees with what the labels say of the 200 τ-bench runs.
import assert from "node:assert/strict";
import {join} from "node:path";
import {describe, test} from "node:test";
import {captureIo} from "../fixtures/captureIo.js";
import {copyDemoWorkspace} from "../fixtures/demoWorkspace.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {tempDir} from "../fixtures/tempDir.js";
import {withReadConnection} from "../store/db.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {GateRunSchema} from "../../src/core/schemas/gateReport.js";
import {main} from "./main.js";

const EVALUATOR = "tool-error-not-recovered";
const TAU = sharedPath("tau-bench-airline", "gpt-4o-airline.json");

async function cli(args: string[], expected = 0): Promise<string> {
  const io = captureIo();
  assert.equal(await main(args, io), expected, `plumbline ${args.join(" ")}:\n${io.stderr.join("\n")}`);
  return io.stdout.join("\n");
}

describe("the README's first turn of the loop on the demo", () => {
  test("calibration counts only the runs the shipped rule did not learn from, and the gate's corrected rate holds the labels' share", async (t) => {
    const workspace = join(tempDir("readme-loop", t), "workspace");
    await copyDemoWorkspace(workspace);
    const suite = join(PROJECT_ROOT, "evaluators");
    await cli(["judge", "run", "--evaluator", EVALUATOR, "--workspace", workspace]);

    const report = JSON.parse(
      await cli(["calibrate", "report", "--evaluator", EVALUATOR, "--suite", suite, "--workspace", workspace, "--json"])
    );
    const current = report.evaluators[0].current.report;
    assert.deepEqual(current.confusion, {tp: 8, fp: 7, fn: 0, tn: 18}, "the held-out runs");
    assert.equal(current.metrics.mcc.metric.value.toFixed(3), "0.620");
    assert.equal(report.inSample[0].report.n, 78, "the training runs, apart");

    // What the labels say of the candidate's 200 runs: the share that failed this way.
    const truth = await withReadConnection(workspace, async (c) => {
      const r = await c.runAndReadAll(
        `SELECT count(*) FILTER (WHERE NOT pass AND lower(failure_mode) = 'tool error not recovered')::INTEGER AS fail,
           count(*)::INTEGER AS n FROM ground_truth WHERE criterion = 'overall'`
      );
      return r.getRowObjectsJS()[0] as {fail: number; n: number};
    });
    assert.deepEqual(truth, {fail: 27, n: 200});

    const gated = (policy: string, status: number) =>
      cli(["gate", "--suite", suite, "--traces", TAU, "--trust", policy, "--json"], status).then((out) =>
        GateRunSchema.parse(JSON.parse(out))
      );
    const point = (await gated("point", 1)).evaluators.find((e) => e.id === EVALUATOR)!;
    assert.equal(point.outcome, "blocked");
    assert.equal(point.failRate, 36 / 200);
    const corrected = point.correctedFailRate!;
    const [low, high] = corrected.interval!;
    assert.ok(
      low < truth.fail / truth.n && truth.fail / truth.n < high,
      `corrected ${corrected.value} [${low}, ${high}]`
    );
    assert.ok(Math.abs(corrected.value! - truth.fail / truth.n) < 0.02, `corrected ${corrected.value}`);

    // Under the default policy its 8 held-out failures are weak evidence: it reports, and the gate passes.
    const interval = (await gated("interval", 0)).evaluators.find((e) => e.id === EVALUATOR)!;
    assert.deepEqual([interval.role, interval.weakEvidence, interval.outcome], ["reports", true, "warned"]);
  });
});
