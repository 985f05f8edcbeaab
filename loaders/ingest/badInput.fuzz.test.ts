/**
 * Property: whatever bad input is mixed into good input, the ingest finishes, stores every good record, quarantines
 * every record it does not store with a reason, and its counts add up. Real records of every format
 * (`fixtures/bad-input/`, see its SOURCE.md) are mutated — truncated, given bytes that are not UTF-8, lone
 * surrogates, numbers too large or negative, deep nesting, keys such as `__proto__` — and mixed with the originals
 * in files, gzip files and folders with link loops and broken links.
 */
import assert from "node:assert/strict";
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";
import {after, test} from "node:test";
import {gunzipSync, gzipSync} from "node:zlib";
import fc from "fast-check";
import {withReadConnection} from "../store/db.js";
import type {Rejected} from "./convert.js";
import {ingest, type IngestSummary} from "./ingest.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "bad-input");
const POOLS = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".jsonl"))
  .map((name) => ({
    format: name.replace(/\.jsonl$/, ""),
    lines: readFileSync(join(FIXTURES, name), "utf8").trim().split("\n")
  }));

const root = mkdtempSync(join(tmpdir(), "plumbline-fuzz-"));
after(() => rmSync(root, {recursive: true, force: true}));

/** What a line is: an original record, one that cannot be stored (it must be quarantined), or one that may be either. */
type Kind = "valid" | "invalid" | "either";
interface Line {
  bytes: Buffer;
  kind: Kind;
  /** For a good record, which fixture line it is (`format/index`). */
  source?: string;
}

/** Inserts `insert` right after the opening brace of a JSON object's text. */
function intoObject(text: string, insert: string): string {
  return `{${insert}${text.length > 2 ? "," : ""}${text.slice(1)}`;
}

const mutation = (text: string): fc.Arbitrary<Line> =>
  fc.oneof(
    // Cut short: a prefix of an object never parses.
    fc
      .integer({min: 1, max: text.length - 1})
      .map((at) => ({bytes: Buffer.from(text.slice(0, at)), kind: "invalid" as Kind})),
    // A byte that is never UTF-8.
    fc.integer({min: 0, max: text.length - 1}).map((at) => {
      const bytes = Buffer.from(text);
      bytes[Math.min(at, bytes.length - 1)] = 0xff;
      return {bytes, kind: "invalid" as Kind};
    }),
    // Any ASCII byte in place of another: may still parse, and may still be a record.
    fc.tuple(fc.integer({min: 0, max: text.length - 1}), fc.integer({min: 0x20, max: 0x7e})).map(([at, byte]) => {
      const bytes = Buffer.from(text);
      bytes[Math.min(at, bytes.length - 1)] = byte;
      return {bytes, kind: "either" as Kind};
    }),
    // A lone surrogate at the end of a string, as a stream cut inside an emoji leaves it.
    fc.nat().map((n) => {
      const strings = [...text.matchAll(/"(?:[^"\\]|\\.)*"/g)];
      const chosen = strings[n % strings.length]!;
      const end = chosen.index + chosen[0].length - 1;
      return {bytes: Buffer.from(text.slice(0, end) + "\\ud83d" + text.slice(end)), kind: "either" as Kind};
    }),
    // A number too large for the store, or negative.
    fc
      .tuple(
        fc.nat(),
        fc.constantFrom("18446744073709551616", "1e308", "-5", "-1e300", "123456789012345678901234567890")
      )
      .map(([n, number]) => {
        const numbers = [...text.matchAll(/:(-?\d+(?:\.\d+)?)(?=[,}\]])/g)];
        if (numbers.length === 0)
          return {bytes: Buffer.from(intoObject(text, `"n":${number}`)), kind: "either" as Kind};
        const chosen = numbers[n % numbers.length]!;
        return {
          bytes: Buffer.from(text.slice(0, chosen.index + 1) + number + text.slice(chosen.index + chosen[0].length)),
          kind: "either" as Kind
        };
      }),
    // Deep nesting, at the top and inside every object the record's metadata may hold.
    fc.integer({min: 50, max: 20_000}).map((depth) => {
      const deep = "[".repeat(depth) + "1" + "]".repeat(depth);
      return {
        bytes: Buffer.from(intoObject(text, `"deep":${deep},"metadata":{"deep":${deep}}`)),
        kind: "either" as Kind
      };
    }),
    // Keys that are special to JavaScript objects, or empty, or control characters.
    fc
      .constantFrom(
        '"__proto__":{"polluted":true}',
        '"constructor":{"prototype":1}',
        '"":""',
        '"\\u0000\\u001b[31m":"x"'
      )
      .map((keys) => ({
        bytes: Buffer.from(intoObject(text, keys)),
        kind: "either" as Kind
      }))
  );

interface FilePlan {
  /** Path below the input folder. */
  path: string;
  gzip: boolean;
  lines: Line[];
}

const filePlan = (index: number): fc.Arbitrary<FilePlan> =>
  fc.integer({min: 0, max: POOLS.length - 1}).chain((p) => {
    const pool = POOLS[p]!;
    const pick = fc.integer({min: 0, max: pool.lines.length - 1});
    return fc
      .record({
        sub: fc.boolean(),
        gzip: fc.boolean(),
        valid: fc.array(
          pick.map((i): Line => ({bytes: Buffer.from(pool.lines[i]!), kind: "valid", source: `${pool.format}/${i}`})),
          {minLength: 2, maxLength: 5}
        ),
        bad: fc.array(
          pick.chain((i) => mutation(pool.lines[i]!)),
          {minLength: 0, maxLength: 4}
        ),
        order: fc.array(fc.nat(), {minLength: 9, maxLength: 9})
      })
      .map(({sub, gzip, valid, bad, order}) => {
        // Fewer bad records than good ones, so the good ones still decide the file's format.
        const lines = [...valid, ...bad.slice(0, valid.length - 1)];
        const shuffled = lines
          .map((line, i) => ({line, key: order[i] ?? i}))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.line);
        // τ-bench ids are made from the file's name: every file of a format has the name its fixture was ingested
        // under, in a folder of its own, so the ids agree with the expected ones.
        return {
          path: join(sub ? "sub" : "", `f${index}`, `${pool.format}.jsonl${gzip ? ".gz" : ""}`),
          gzip,
          lines: shuffled
        };
      });
  });

const plan = fc.record({
  files: fc.integer({min: 1, max: 4}).chain((n) => fc.tuple(...Array.from({length: n}, (_, i) => filePlan(i)))),
  loop: fc.boolean(),
  mutual: fc.boolean(),
  broken: fc.boolean(),
  /** Whether the mixed input is read by a worker thread (the files are small: every one is handed to it). */
  worker: fc.boolean()
});

function writeInput(dir: string, files: FilePlan[]): void {
  mkdirSync(join(dir, "sub"), {recursive: true});
  for (const file of files) {
    const text = Buffer.concat(file.lines.flatMap((line) => [line.bytes, Buffer.from("\n")]));
    mkdirSync(dirname(join(dir, file.path)), {recursive: true});
    writeFileSync(join(dir, file.path), file.gzip ? gzipSync(text) : text);
  }
}

/** A stored row's key (table and key columns), with the trace it belongs to. */
interface StoredKey {
  traceId: string;
  key: string;
}

/** The stored keys of every table: what a later ingest may add to but must never lose. */
async function storedKeys(workspace: string): Promise<StoredKey[]> {
  return withReadConnection(workspace, async (connection) => {
    const rows = await connection.runAndReadAll(`
      SELECT trace_id, 'trace' AS k FROM traces
      UNION ALL SELECT trace_id, concat_ws('/', 'span', span_id) FROM spans
      UNION ALL SELECT trace_id, concat_ws('/', 'message', span_id, direction, idx) FROM messages
      UNION ALL SELECT trace_id, concat_ws('/', 'call', call_id) FROM tool_calls
      UNION ALL SELECT trace_id, concat_ws('/', 'feedback', span_id, name, source) FROM feedback`);
    return rows
      .getRows()
      .map(([traceId, key]) => ({traceId: String(traceId), key: `${String(traceId)}/${String(key)}`}));
  });
}

/**
 * The rows each fixture line stores when ingested alone, under the name the property's files give it: the
 * property's "every good record is stored" compares against these, so each run needs one ingest, not two.
 */
async function rowsOfEachFixtureLine(dir: string): Promise<Map<string, string[]>> {
  const files: FilePlan[] = POOLS.flatMap((pool) =>
    pool.lines.map((text, i) => ({
      path: join(`${pool.format}-${i}`, `${pool.format}.jsonl`),
      gzip: false,
      lines: [{bytes: Buffer.from(text), kind: "valid" as Kind}]
    }))
  );
  writeInput(dir, files);
  const workspace = join(dir, ".ws");
  const summary = await ingest({workspace, paths: [dir], workers: 0});
  // Every fixture record is good on its own: the property's "good" must mean stored.
  assert.equal(summary.rejected, 0, JSON.stringify(summary.rejectedSample.map((r) => r.reason)));
  assert.equal(summary.ingested, files.length);
  const sources = await withReadConnection(workspace, async (connection) =>
    (
      await connection.runAndReadAll("SELECT trace_id, list(DISTINCT source_file) FROM trace_sources GROUP BY ALL")
    ).getRows()
  );
  const lineOf = new Map<string, string>();
  for (const [traceId, files] of sources) {
    const list = files as unknown as {items: unknown[]};
    // Each fixture line has traces of its own, so the rows of a trace belong to exactly one line.
    assert.equal(list.items.length, 1, `trace ${String(traceId)} comes from several fixture lines`);
    const [folder] = relative(dir, String(list.items[0])).split("/");
    lineOf.set(String(traceId), folder!.replace(/-(\d+)$/, "/$1"));
  }
  const rows = new Map<string, string[]>();
  for (const {traceId, key} of await storedKeys(workspace)) {
    const line = lineOf.get(traceId)!;
    rows.set(line, [...(rows.get(line) ?? []), key]);
  }
  return rows;
}

function assertCountsAddUp(summary: IngestSummary): void {
  for (const file of summary.files) assert.equal(file.records, file.ingested + file.rejected, file.path);
  assert.equal(summary.records, summary.ingested + summary.rejected);
  assert.equal(
    summary.records,
    summary.files.reduce((n, f) => n + f.records, 0)
  );
  assert.equal(
    summary.rejected,
    summary.files.reduce((n, f) => n + f.rejected, 0)
  );
}

let run = 0;

test("no mix of bad records, gzip files and links loses a good record, and every record is stored or quarantined", async () => {
  const expectedRows = await rowsOfEachFixtureLine(join(root, "fixtures"));
  await fc.assert(
    fc.asyncProperty(plan, async ({files, loop, mutual, broken, worker}) => {
      const dir = join(root, `run-${run++}`);
      try {
        const mixed = join(dir, "mixed");
        writeInput(mixed, files);
        if (loop) symlinkSync("..", join(mixed, "sub", "up"));
        if (mutual) {
          mkdirSync(join(mixed, "twin"));
          symlinkSync(join(mixed, "twin"), join(mixed, "sub", "to-twin"));
          symlinkSync(join(mixed, "sub"), join(mixed, "twin", "to-sub"));
        }
        if (broken) {
          symlinkSync(join(mixed, "nowhere.jsonl"), join(mixed, "broken.jsonl"));
          symlinkSync("self.jsonl", join(mixed, "self.jsonl"));
        }
        const workspace = join(dir, "ws");
        const summary = await ingest({workspace, paths: [mixed], workers: worker ? 1 : 0, workerThresholdBytes: 0});
        assertCountsAddUp(summary);

        // Each input file was read once, whatever links lead to it, and every line of it is counted.
        const read = summary.files.filter((f) => f.error === undefined || /gzip/.test(f.error));
        assert.deepEqual(read.map((f) => relative(mixed, f.path)).sort(), files.map((f) => f.path).sort());
        for (const file of files) {
          const summaryOf = read.find((f) => relative(mixed, f.path) === file.path)!;
          assert.equal(summaryOf.records, file.lines.length, file.path);
        }
        if (broken) {
          const skipped = summary.files.filter((f) => f.error !== undefined && !/gzip/.test(f.error));
          assert.deepEqual(skipped.map((f) => relative(mixed, f.path)).sort(), ["broken.jsonl", "self.jsonl"]);
        }

        // Every good record's rows are stored, as when it is ingested alone.
        const stored = new Set((await storedKeys(workspace)).map((row) => row.key));
        const good = new Set(files.flatMap((file) => file.lines.flatMap((line) => (line.source ? [line.source] : []))));
        for (const source of good) {
          // A record may store nothing of its own (an OTLP log without a GenAI event), and then loses nothing.
          const rows = expectedRows.get(source) ?? [];
          assert.deepEqual(
            rows.filter((key) => !stored.has(key)),
            [],
            `rows of ${source} lost`
          );
        }

        // Every record not stored is in quarantine, whole, with its file, line and a reason.
        const quarantined: Rejected[] = summary.quarantineFile
          ? readFileSync(summary.quarantineFile, "utf8")
              .trim()
              .split("\n")
              .map((line) => JSON.parse(line) as Rejected)
          : [];
        assert.equal(quarantined.length, summary.rejected);
        for (const entry of quarantined) {
          assert.ok(entry.reason.length > 0);
          const file = files.find((f) => join(mixed, f.path) === entry.file);
          assert.ok(file, `quarantined from an unknown file ${entry.file}`);
          const line = file.lines[entry.line - 1]!;
          assert.notEqual(line.kind, "valid", `${entry.file}:${entry.line} is a good record: ${entry.reason}`);
          assert.deepEqual(
            entry.encoding === "base64" ? Buffer.from(entry.text, "base64") : Buffer.from(entry.text),
            line.bytes
          );
        }
        for (const file of files) {
          for (const [i, line] of file.lines.entries()) {
            if (line.kind !== "invalid") continue;
            assert.ok(
              quarantined.some((q) => q.file === join(mixed, file.path) && q.line === i + 1),
              `${file.path}:${i + 1} is not quarantined`
            );
          }
        }
        // A gzip file on disk holds what was planned (the check above reads lines by number).
        for (const file of files.filter((f) => f.gzip)) {
          const lines =
            gunzipSync(readFileSync(join(mixed, file.path)))
              .toString("latin1")
              .split("\n").length - 1;
          assert.equal(lines, file.lines.length);
        }
      } finally {
        rmSync(dir, {recursive: true, force: true});
      }
    }),
    {
      numRuns: 25,
      includeErrorInReport: true,
      ...(process.env.FUZZ_SEED
        ? {seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH, endOnFailure: true}
        : {})
    }
  );
});
