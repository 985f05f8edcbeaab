// The monitor's series computed in the store agree with those computed from every trace in JavaScript, on the demo
// and on a generated store of 200,000 traces.
import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import {monitorCalibrations} from "../../src/core/monitor/calibrations.js";
import {monitorData} from "../../src/core/monitor/monitorData.js";
import {loadSuite} from "../gate/suite.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {demoWorkspace} from "../fixtures/demoWorkspace.js";
import {writeMonitorTraffic} from "../fixtures/monitorTraffic.js";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {monitorData as monitorDataJs} from "./monitorJs/monitorData.js";
import {readMonitorRows as readMonitorRowsJs} from "./monitorJs/monitorRows.js";
import {readMonitorRows} from "./monitorRows.js";
import {withReadConnection} from "./read.js";

/** Equal but for the last bits of sums taken in another order. */
function assertClose(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    const scale = Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= 1e-9 * scale, `${path}: ${actual} ≠ ${expected}`);
    return;
  }
  if (expected && typeof expected === "object") {
    assert.ok(actual && typeof actual === "object", `${path}: ${JSON.stringify(actual)} is not an object`);
    const keys = Object.keys(expected);
    assert.deepEqual(Object.keys(actual).sort(), [...keys].sort(), path);
    for (const key of keys)
      assertClose(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`
      );
    return;
  }
  assert.equal(actual, expected, path);
}

async function compare(workspace: string) {
  const calibrations = monitorCalibrations(loadSuite(EVALUATORS_DIR).specs.map((loaded) => loaded.spec));
  const old = monitorDataJs({...(await withReadConnection(workspace, readMonitorRowsJs)), calibrations});
  const now = monitorData({...(await withReadConnection(workspace, readMonitorRows)), calibrations});
  assertClose(now, old);
  return now;
}

describe("the monitor's series from the store", {timeout: 300_000}, () => {
  let large = "";
  before(async () => {
    large = tempDir("monitor-sql");
    await writeMonitorTraffic(large, 200_000);
  });
  after(() => removeTempDir(large));

  test("are those computed from every trace, on the demo", async (t) => {
    const data = await compare((await demoWorkspace()).workspace);
    t.diagnostic(
      `demo: ${data.traces} traces, ${data.evaluators.length} evaluators, ${data.models.length} models, ${data.failureModes.length} failure modes, ${data.buckets.length} ${data.unit} buckets`
    );
    assert.ok(data.models.length > 0);
  });

  test("are those computed from every trace, on 200,000 generated traces", async () => {
    const data = await compare(large);
    assert.equal(data.traces, 200_000);
    assert.equal(data.unit, "day");
    assert.equal(data.models.length, 4);
  });
});
