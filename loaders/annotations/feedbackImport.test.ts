import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {main} from "../cli/main.js";
import type {Io} from "../cli/command.js";
import {withConnection} from "../store/db.js";
import {importFeedback} from "./feedbackImport.js";
import {openAnnotationService} from "./service.js";
import {tempDir} from "../fixtures/tempDir.js";

const workspace = tempDir("feedback");
after(() => rmSync(workspace, {recursive: true, force: true}));
before(() => writeFixtureWorkspace(workspace, fixtureTraces()));

function io(): Io & {output: string[]; errors: string[]} {
  const output: string[] = [];
  const errors: string[] = [];
  return {
    output,
    errors,
    out: (t) => void output.push(t),
    err: (t) => void errors.push(t),
    env: {PLUMBLINE_WORKSPACE: workspace}
  };
}

describe("feedback import", () => {
  test("a support-ticket CSV with auto-detected columns: matched rows become failing labels, unmatched rows go to the report", async () => {
    const file = join(workspace, "tickets.csv");
    writeFileSync(
      file,
      [
        "Ticket ID,Trace ID,Customer Email,Category,Body,Created At",
        't-1,trace-refund,a@example.com,wrong_order,"Bot looked up the wrong order, twice",2026-01-05T10:00:00Z',
        "t-2,trace-gone,b@example.com,other,Nothing happened,2026-01-05T11:00:00Z",
        "t-3,,c@example.com,other,No trace here,2026-01-05T12:00:00Z",
        "t-4,trace-weather,d@example.com,late,Forecast came late,2026-01-05T13:00:00Z"
      ].join("\n")
    );
    const report = join(workspace, "tickets-report.jsonl");
    const service = openAnnotationService({workspace, mirrorDelayMs: 5});
    try {
      const summary = await importFeedback(service, {file, kind: "tickets", reportPath: report});
      assert.deepEqual([summary.rows, summary.imported, summary.unmatched, summary.invalid], [4, 2, 1, 1]);
      const labels = service.list().sort((a, b) => a.createdAt - b.createdAt);
      assert.deepEqual(
        labels.map((l) => [l.traceId, l.pass, l.source, l.annotator, l.failureMode, l.explanation, l.createdAt]),
        [
          [
            "trace-refund",
            false,
            "support_ticket",
            "a@example.com",
            "wrong_order",
            "Bot looked up the wrong order, twice",
            Date.UTC(2026, 0, 5, 10)
          ],
          [
            "trace-weather",
            false,
            "support_ticket",
            "d@example.com",
            "late",
            "Forecast came late",
            Date.UTC(2026, 0, 5, 13)
          ]
        ]
      );
      const reported = readFileSync(report, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as {line: number; reason: string});
      assert.deepEqual(
        reported.map((r) => [r.line, r.reason]),
        [
          [3, "no trace trace-gone in the workspace"],
          [4, "no trace id"]
        ]
      );
      // Again: nothing new.
      const again = await importFeedback(service, {file, kind: "tickets", reportPath: report});
      assert.deepEqual([again.imported, again.alreadyImported], [0, 2]);
      await service.flush();
    } finally {
      await service.close();
    }
    const rows = await withConnection(workspace, async (c) =>
      (
        await c.runAndReadAll("SELECT trace_id, source FROM human_labels WHERE source = 'support_ticket' ORDER BY 1")
      ).getRows()
    );
    assert.deepEqual(rows, [
      ["trace-refund", "support_ticket"],
      ["trace-weather", "support_ticket"]
    ]);
  });

  test("plumbline feedback import reads thumbs from JSON Lines with --map, reports bad lines, and exits 1 when some rows were not imported", async () => {
    const file = join(workspace, "app.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({run: "trace-timeout", thumb: "down", uid: "u-9", note: "never answered"}),
        JSON.stringify({run: "trace-hostile", thumb: "👍", uid: "u-3"}),
        "{broken",
        JSON.stringify({run: "trace-weather", thumb: "sideways", uid: "u-4"})
      ].join("\n")
    );
    const cli = io();
    const status = await main(
      [
        "feedback",
        "import",
        file,
        "--kind",
        "thumbs",
        "--map",
        "traceId=run,verdict=thumb,annotator=uid",
        "--report",
        join(workspace, "thumbs-report.jsonl")
      ],
      cli
    );
    assert.equal(status, 1);
    assert.match(cli.output.join("\n"), /imported 2 of 4 rows/);
    const reported = readFileSync(join(workspace, "thumbs-report.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as {line: number; reason: string});
    assert.deepEqual(
      reported.map((r) => r.line),
      [3, 4]
    );
    assert.match(reported[1]!.reason, /unrecognised verdict: "sideways"/);
    const service = openAnnotationService({workspace});
    const thumbs = service
      .list()
      .filter((a) => a.source === "end_user")
      .map((a) => [a.traceId, a.pass, a.annotator])
      .sort();
    await service.close();
    assert.deepEqual(thumbs, [
      ["trace-hostile", true, "u-3"],
      ["trace-timeout", false, "u-9"]
    ]);
  });

  test("a QA sheet without a recognisable verdict column is a usage error that says how to name it", async () => {
    const file = join(workspace, "qa.csv");
    writeFileSync(file, "trace_id,judgement\ntrace-refund,bad\n");
    const cli = io();
    assert.equal(await main(["feedback", "import", file, "--kind", "qa"], cli), 2);
    assert.match(
      cli.errors.join("\n"),
      /no verdict column among trace_id, judgement; name it with --map verdict=<column>/
    );
    const ok = io();
    assert.equal(await main(["feedback", "import", file, "--kind", "qa", "--map", "verdict=judgement"], ok), 0);
  });
});
