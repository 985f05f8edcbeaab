/**
 * Property: whatever bad lines are mixed into good ones, reading a labels file never throws, keeps every good row
 * with its fields intact, and rejects every other line with its line number and a reason — in CSV and JSON Lines.
 */
import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import {parseLabelRows} from "./labelRows.js";

interface Good {
  item: string;
  criterion: string;
  rater: string;
  kind: "human" | "judge";
  verdict: "pass" | "fail" | null;
  text: string | null;
}

// Field text that survives trimming and is not empty: letters, digits, spaces inside, commas and quotes too.
const word = fc
  .string({unit: fc.constantFrom(..."abcXYZ019 ,\"'-_é😀"), minLength: 1, maxLength: 8})
  .filter((s) => s.trim() === s && s !== "");

const good: fc.Arbitrary<Good> = fc
  .record({
    item: word,
    criterion: word,
    rater: word,
    kind: fc.constantFrom("human" as const, "judge" as const),
    verdict: fc.constantFrom("pass" as const, "fail" as const, null),
    text: fc.option(word, {nil: null})
  })
  .map((g) => (g.kind === "human" && g.verdict === null ? {...g, verdict: "pass" as const} : g));

/** Lines that can never be a label: each names what is wrong with it. */
const badCsv = fc.constantFrom(
  "x,c,a,,maybe,",
  ",c,a,,pass,",
  "x,,a,,pass,",
  "x,c,,,pass,",
  "x,c,a,j,pass,",
  "x,c,a,,,",
  'x,c,"a,,pass,',
  'x,c,"a"b,,pass,',
  "x,c,a",
  "x,c,a,,pass,,extra"
);
const badJson = fc.constantFrom(
  "{",
  "[1,2]",
  '"text"',
  "null",
  '{"item":"x","criterion":"c","annotator":"a","verdict":"maybe"}',
  '{"criterion":"c","annotator":"a","verdict":"pass"}',
  '{"item":"x","criterion":"c","annotator":"a","judge":"j","verdict":"pass"}',
  '{"item":["x"],"criterion":"c","annotator":"a","verdict":"pass"}',
  '{"item":"x","criterion":"c","annotator":"a","verdict":NaN}'
);

const quote = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function csvLine(g: Good): string {
  return [
    g.item,
    g.criterion,
    g.kind === "human" ? g.rater : "",
    g.kind === "judge" ? g.rater : "",
    g.verdict ?? "",
    g.text ?? ""
  ]
    .map(quote)
    .join(",");
}

function jsonLine(g: Good): string {
  return JSON.stringify({
    item: g.item,
    criterion: g.criterion,
    [g.kind === "human" ? "annotator" : "judge"]: g.rater,
    verdict: g.verdict,
    ...(g.text === null ? {} : {text: g.text})
  });
}

for (const format of ["csv", "jsonl"] as const) {
  test(`${format}: no crash, every good row kept intact, every other line rejected with its line and a reason`, () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            good.map((g) => ({good: g})),
            (format === "csv" ? badCsv : badJson).map((bad) => ({bad}))
          ),
          {
            maxLength: 40
          }
        ),
        (lines) => {
          // A rater keeps one role and labels an item once on a criterion, so good rows that would repeat one are
          // made distinct here: the file's own rules reject the repeats, which another test covers.
          const seen = new Set<string>();
          const roles = new Map<string, string>();
          const kept = lines.filter((l) => {
            if (!("good" in l)) return true;
            const key = JSON.stringify([l.good.item, l.good.criterion, l.good.rater]);
            const role = roles.get(l.good.rater);
            if (seen.has(key) || (role && role !== l.good.kind)) return false;
            seen.add(key);
            roles.set(l.good.rater, l.good.kind);
            return true;
          });
          const header = format === "csv" ? ["item,criterion,annotator,judge,verdict,text"] : [];
          const text = [
            ...header,
            ...kept.map((l) => ("good" in l ? (format === "csv" ? csvLine : jsonLine)(l.good) : l.bad))
          ].join("\n");
          const result = parseLabelRows(text, format);
          const expected = kept.flatMap((l, i) => ("good" in l ? [{...l.good, line: i + 1 + header.length}] : []));
          assert.deepEqual(
            result.rows.map((r) => ({
              item: r.item,
              criterion: r.criterion,
              rater: r.rater,
              kind: r.kind,
              verdict: r.verdict,
              text: r.text,
              line: r.line
            })),
            expected.map((g) => ({
              item: g.item,
              criterion: g.criterion,
              rater: g.rater,
              kind: g.kind,
              verdict: g.verdict,
              text: g.text,
              line: g.line
            }))
          );
          const badLines = kept.flatMap((l, i) => ("bad" in l ? [i + 1 + header.length] : []));
          assert.deepEqual(
            result.rejected.map((r) => r.line),
            badLines
          );
          for (const r of result.rejected) {
            assert.ok(r.reason.length > 0);
            assert.equal(r.text, text.split("\n")[r.line - 1]);
          }
        }
      ),
      {numRuns: 300, seed: 24}
    );
  });
}

test("CRLF line ends, a byte-order mark and blank lines are read as a spreadsheet writes them", () => {
  const text = "\uFEFFitem,criterion,annotator,judge,verdict\r\n1,c,a,,PASS\r\n\r\n2,c,,j,error\r\n";
  const result = parseLabelRows(text, "csv");
  assert.deepEqual(result.rejected, []);
  assert.deepEqual(
    result.rows.map((r) => [r.line, r.item, r.kind, r.verdict]),
    [
      [2, "1", "human", "pass"],
      [4, "2", "judge", null]
    ]
  );
});
