// Severity given on labels reaches the views: the failure-mode registry and the cluster list show the worst and the
// most common severity their labels give.
import assert from "node:assert/strict";
import {mkdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {FIXTURE_NOW, clusterFixtureTraces} from "../clusters/fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../clusters/runClustering.js";
import {openAnnotationService} from "../annotations/service.js";
import {clusterPageData} from "../store/clusterPageData.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {tempDir} from "../fixtures/tempDir.js";
import {listModes} from "./actions.js";

let workspace: string;
before(async () => {
  workspace = tempDir("severity-views");
  mkdirSync(join(workspace, "evaluators"));
  await writeFixtureWorkspace(workspace, clusterFixtureTraces());
  await withConnection(workspace, (c) => runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, semantic: false}));
  const service = openAnnotationService({workspace, mirrorDelayMs: 5});
  try {
    for (const [traceId, annotator, severity] of [
      ["refund-1", "ana", "high"],
      ["refund-2", "ana", "high"],
      ["refund-3", "ben", "critical"],
      ["refund-4", "ben", null]
    ] as const) {
      await service.create({
        traceId,
        criterion: "overall",
        annotator,
        source: "reviewer",
        pass: false,
        failureMode: "refund lookup fails",
        ...(severity ? {severity} : {})
      });
    }
    await service.flush();
  } finally {
    await service.close();
  }
});
after(() => rmSync(workspace, {recursive: true, force: true}));

test("the failure-mode registry gives each mode the worst and the most common severity of its labels", async () => {
  const {modes} = await listModes({workspace, now: FIXTURE_NOW, evaluatorsDir: join(workspace, "evaluators")});
  const refund = modes.find((m) => m.name === "refund lookup fails")!;
  assert.deepEqual(refund.severity, {worst: "critical", common: "high"});
});

test("a cluster shows the severity its traces' labels give; a cluster nobody gave one shows none", async () => {
  const data = await withReadConnection(workspace, (c) => clusterPageData(c));
  const labelled = data.clusters.filter((c) => c.labelSeverity);
  assert.ok(labelled.length >= 1);
  const all = labelled.reduce((n, c) => n + c.labelSeverity!.labels, 0);
  assert.equal(all, 3, "the three labels that give a severity, each counted in the signature cluster of its trace");
  assert.ok(labelled.some((c) => c.labelSeverity!.worst === "critical"));
  assert.ok(data.clusters.some((c) => !c.labelSeverity));
});
