import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {detectColumns, parseSeverity, parseTime, parseVerdict} from "./feedbackMapping.js";

describe("detectColumns(headers, explicit)", () => {
  test("recognises common header names in any case and spacing, and an explicit mapping wins", () => {
    const headers = ["Ticket ID", "Trace-ID", "Customer Email", "Category", "Body", "Created At"];
    assert.deepEqual(detectColumns(headers), {
      traceId: "Trace-ID",
      annotator: "Customer Email",
      failureMode: "Category",
      explanation: "Body",
      time: "Created At"
    });
    assert.deepEqual(detectColumns(headers, {annotator: "Ticket ID"}).annotator, "Ticket ID");
  });
});

describe("parseVerdict(raw)", () => {
  test("reads thumbs, words, booleans, 0/1, scores and 1–5 ratings; anything else is an error naming the value", () => {
    const cases: [unknown, boolean, number | null][] = [
      ["👍", true, 1],
      ["thumbs down", false, 0],
      ["FAIL", false, 0],
      [true, true, 1],
      ["0", false, 0],
      ["1", true, 1],
      ["0.7", true, 0.7],
      ["0.2", false, 0.2],
      ["4", true, 0.75],
      ["2", false, 0.25]
    ];
    for (const [raw, pass, score] of cases) assert.deepEqual(parseVerdict(raw), {pass, score}, String(raw));
    assert.deepEqual(parseVerdict("meh"), {error: 'unrecognised verdict: "meh"'});
    assert.deepEqual(parseVerdict("7"), {error: 'unrecognised verdict: "7"'});
    assert.deepEqual(parseVerdict(""), {error: "no verdict"});
  });

  test("parseTime reads ISO dates and epoch seconds or milliseconds", () => {
    assert.equal(parseTime("2026-01-05T09:30:00Z"), Date.UTC(2026, 0, 5, 9, 30));
    assert.equal(parseTime("1767605400"), 1767605400000);
    assert.equal(parseTime(1767605400000), 1767605400000);
    assert.equal(parseTime("soon"), null);
  });
});

describe("parseSeverity(raw)", () => {
  test("reads the four severities and trackers' priority words; blank is none; anything else is an error naming it", () => {
    const read = (raw: unknown) => {
      const r = parseSeverity(raw);
      return "error" in r ? r.error : r.severity;
    };
    assert.deepEqual(
      ["Low", "minor", "Normal", "medium", "High", "major", "Urgent", "critical", "P1", "Sev 2", "sev-3", "P4"].map(
        read
      ),
      ["low", "low", "medium", "medium", "high", "high", "critical", "critical", "critical", "high", "medium", "low"]
    );
    assert.equal(read(null), null);
    assert.equal(read("  "), null);
    assert.equal(read("whenever"), 'unrecognised severity: "whenever"');
  });

  test("a priority or severity column is recognised as the severity", () => {
    assert.equal(detectColumns(["Trace ID", "Priority", "Comment"]).severity, "Priority");
    assert.equal(detectColumns(["trace_id", "Severity"]).severity, "Severity");
  });
});
