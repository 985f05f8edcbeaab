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
  .map((name) => ({format: name.replace(/\.jsonl$/, ""), lines: readFileSync(join(FIXTURES, name), "utf8").trim().split("\n")}));

const root = mkdtempSync(join(tmpdir(), "plumbline-fuzz-"));
after(() => rmSync(root, {recursive: true, force: true}));

/** What a line is: an original record, one that cannot be stored (it must be quarantined), or one that may be either. */
type Kind = "valid" | "invalid" | "either";
interface Line {
  bytes: Buffer;
  kind: Kind;
}

/** Inserts `insert` right after the opening brace of a JSON object's text. */
function intoObject(text: string, insert: string): string {
  return `{${insert}${text.length > 2 ? "," : ""}${text.slice(1)}`;
}

const mutation = (text: string): fc.Arbitrary<Line> =>
  fc.oneof(
    // Cut short: a prefix of an object never parses.
    fc.integer({min: 1, max: text.length - 1}).map((at) => ({bytes: Buffer.from(text.slice(0, at)), kind: "invalid" as Kind})),
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
    fc.tuple(fc.nat(), fc.constantFrom("18446744073709551616", "1e308", "-5", "-1e300", "123456789012345678901234567890")).map(([n, number]) => {
      const numbers = [...text.matchAll(/:(-?\d+(?:\.\d+)?)(?=[,}\]])/g)];
      if (numbers.length === 0) return {bytes: Buffer.from(intoObject(text, `"n":${number}`)), kind: "either" as Kind};
      const chosen = numbers[n % numbers.length]!;
      return {bytes: Buffer.from(text.slice(0, chosen.index + 1) + number + text.slice(chosen.index + chosen[0].length)), kind: "either" as Kind};
    }),
    // Deep nesting, at the top and inside every object the record's metadata may hold.
    fc.integer({min: 50, max: 20_000}).map((depth) => {
      const deep = "[".repeat(depth) + "1" + "]".repeat(depth);
      return {bytes: Buffer.from(intoObject(text, `"deep":${deep},"metadata":{"deep":${deep}}`)), kind: "either" as Kind};
    }),
    // Keys that are special to JavaScript objects, or empty, or control characters.
    fc.constantFrom('"__proto__":{"polluted":true}', '"constructor":{"prototype":1}', '"":""', '"\\u0000\\u001b[31m":"x"').map((keys) => ({
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
    const record = fc.integer({min: 0, max: pool.lines.length - 1}).map((i) => pool.lines[i]!);
    return fc.record({
      sub: fc.boolean(),
      gzip: fc.boolean(),
      valid: fc.array(record.map((text): Line => ({bytes: Buffer.from(text), kind: "valid"})), {minLength: 2, maxLength: 5}),
      bad: fc.array(record.chain(mutation), {minLength: 0, maxLength: 4}),
      order: fc.array(fc.nat(), {minLength: 9, maxLength: 9})
    }).map(({sub, gzip, valid, bad, order}) => {
      // Fewer bad records than good ones, so the good ones still decide the file's format.
      const lines = [...valid, ...bad.slice(0, valid.length - 1)];
      const shuffled = lines.map((line, i) => ({line, key: order[i] ?? i})).sort((a, b) => a.key - b.key).map((x) => x.line);
      // τ-bench ids are made from the file's name: the name keeps the pool's format so both ingests agree.
      return {path: join(sub ? "sub" : "", `${index}-${pool.format}.jsonl${gzip ? ".gz" : ""}`), gzip, lines: shuffled};
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

function writeInput(dir: string, files: FilePlan[], keep: (line: Line) => boolean): void {
  mkdirSync(join(dir, "sub"), {recursive: true});
  for (const file of files) {
    const text = Buffer.concat(file.lines.filter(keep).flatMap((line) => [line.bytes, Buffer.from("\n")]));
    writeFileSync(join(dir, file.path), file.gzip ? gzipSync(text) : text);
  }
}

type Keys = Record<string, string[]>;

/** The stored keys of every table: what a later ingest may add to but must never lose. */
async function storedKeys(workspace: string): Promise<Keys> {
  return withReadConnection(workspace, async (connection) => {
    const keys: Keys = {};
    const sql: Record<string, string> = {
      traces: "SELECT trace_id AS k FROM traces",
      spans: "SELECT trace_id || '/' || span_id AS k FROM spans",
      messages: "SELECT concat_ws('/', trace_id, span_id, direction, idx) AS k FROM messages",
      toolCalls: "SELECT trace_id || '/' || call_id AS k FROM tool_calls",
      feedback: "SELECT concat_ws('/', trace_id, name, source) AS k FROM feedback"
    };
    for (const [table, query] of Object.entries(sql)) {
      keys[table] = (await connection.runAndReadAll(`${query} ORDER BY k`)).getRowObjectsJS().map((r) => String(r.k));
    }
    return keys;
  });
}

function assertCountsAddUp(summary: IngestSummary): void {
  for (const file of summary.files) assert.equal(file.records, file.ingested + file.rejected, file.path);
  assert.equal(summary.records, summary.ingested + summary.rejected);
  assert.equal(summary.records, summary.files.reduce((n, f) => n + f.records, 0));
  assert.equal(summary.rejected, summary.files.reduce((n, f) => n + f.rejected, 0));
}

let run = 0;

test("no mix of bad records, gzip files and links loses a good record, and every record is stored or quarantined", async () => {
  // Every fixture record is good on its own: the property's "good" must mean stored.
  const all = join(root, "all");
  writeInput(all, POOLS.map((pool, i) => ({path: `${i}-${pool.format}.jsonl`, gzip: false, lines: pool.lines.map((text) => ({bytes: Buffer.from(text), kind: "valid" as Kind}))})), () => true);
  const whole = await ingest({workspace: join(all, ".ws"), paths: [all], workers: 0});
  assert.equal(whole.rejected, 0, JSON.stringify(whole.rejectedSample.map((r) => r.reason)));
  assert.equal(whole.ingested, POOLS.reduce((n, p) => n + p.lines.length, 0));
  rmSync(all, {recursive: true, force: true});

  await fc.assert(
    fc.asyncProperty(plan, async ({files, loop, mutual, broken, worker}) => {
      const dir = join(root, `run-${run++}`);
      try {
        const mixed = join(dir, "mixed");
        const valid = join(dir, "valid");
        writeInput(mixed, files, () => true);
        writeInput(valid, files, (line) => line.kind === "valid");
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
        const summary = await ingest({workspace: join(dir, "ws-mixed"), paths: [mixed], workers: worker ? 1 : 0, workerThresholdBytes: 0});
        const alone = await ingest({workspace: join(dir, "ws-valid"), paths: [valid], workers: 0});
        assertCountsAddUp(summary);
        assertCountsAddUp(alone);
        assert.equal(alone.rejected, 0);

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

        // Every good record's rows are stored, as when the good records are ingested alone.
        const expected = await storedKeys(join(dir, "ws-valid"));
        const got = await storedKeys(join(dir, "ws-mixed"));
        for (const table of Object.keys(expected)) {
          const have = new Set(got[table]);
          const lost = expected[table]!.filter((key) => !have.has(key));
          assert.deepEqual(lost, [], `${table} lost`);
        }

        // Every record not stored is in quarantine, whole, with its file, line and a reason.
        const quarantined: Rejected[] = summary.quarantineFile
          ? readFileSync(summary.quarantineFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Rejected)
          : [];
        assert.equal(quarantined.length, summary.rejected);
        for (const entry of quarantined) {
          assert.ok(entry.reason.length > 0);
          const file = files.find((f) => join(mixed, f.path) === entry.file);
          assert.ok(file, `quarantined from an unknown file ${entry.file}`);
          const line = file.lines[entry.line - 1]!;
          assert.notEqual(line.kind, "valid", `${entry.file}:${entry.line} is a good record: ${entry.reason}`);
          assert.deepEqual(entry.encoding === "base64" ? Buffer.from(entry.text, "base64") : Buffer.from(entry.text), line.bytes);
        }
        for (const file of files) {
          for (const [i, line] of file.lines.entries()) {
            if (line.kind !== "invalid") continue;
            assert.ok(quarantined.some((q) => q.file === join(mixed, file.path) && q.line === i + 1), `${file.path}:${i + 1} is not quarantined`);
          }
        }
        // A gzip file on disk holds what was planned (the check above reads lines by number).
        for (const file of files.filter((f) => f.gzip)) {
          const lines = gunzipSync(readFileSync(join(mixed, file.path))).toString("latin1").split("\n").length - 1;
          assert.equal(lines, file.lines.length);
        }
      } finally {
        rmSync(dir, {recursive: true, force: true});
      }
    }),
    {numRuns: 20}
  );
});
