// Severity from a feedback export: a support desk's ticket export names its priority, and the labels keep it.
import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {withReadConnection} from "../store/db.js";
import {importFeedback} from "./feedbackImport.js";
import {openAnnotationService} from "./service.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("feedback import with a severity column", () => {
  const workspace = tempDir("feedback-severity");
  before(() => writeFixtureWorkspace(workspace, fixtureTraces()));
  after(() => rmSync(workspace, {recursive: true, force: true}));

  test("a ticket export's priority becomes each label's severity; an unreadable one is reported, not guessed", async () => {
    // The columns of a help desk's CSV ticket export, with the trace id in a custom field.
    const file = join(workspace, "tickets.csv");
    writeFileSync(
      file,
      [
        "Id,Requester,Subject,Status,Priority,Ticket type,Created at,Trace ID,Description",
        '101,a@example.com,Refund never arrived,open,Urgent,problem,2026-01-05 10:00:00,trace-refund,"Bot said the refund went through, it did not"',
        "102,b@example.com,Weather wrong,solved,Low,question,2026-01-05 11:00:00,trace-weather,Forecast was for the wrong city",
        "103,c@example.com,Slow,open,whenever,incident,2026-01-05 12:00:00,trace-weather,Took ages"
      ].join("\n")
    );
    const report = join(workspace, "tickets-report.jsonl");
    const service = openAnnotationService({workspace, mirrorDelayMs: 5});
    try {
      const summary = await importFeedback(service, {file, kind: "tickets", reportPath: report});
      assert.equal(summary.mapping.severity, "Priority");
      assert.deepEqual([summary.rows, summary.imported, summary.invalid], [3, 2, 1]);
      assert.deepEqual(
        service
          .list()
          .map((l) => [l.traceId, l.pass, l.severity])
          .sort(),
        [
          ["trace-refund", false, "critical"],
          ["trace-weather", false, "low"]
        ]
      );
      assert.match(readFileSync(report, "utf8"), /unrecognised severity: \\"whenever\\"/);
      await service.flush();
    } finally {
      await service.close();
    }
    // The store's view of every label carries it too, for the tables and queues that read it.
    const rows = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT trace_id, severity FROM human_labels ORDER BY trace_id")).getRows()
    );
    assert.deepEqual(rows, [
      ["trace-refund", "critical"],
      ["trace-weather", "low"]
    ]);
  });
});
