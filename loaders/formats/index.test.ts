import {test} from "node:test";
import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import path from "node:path";
import {FORMATS} from "../../src/core/schemas/trace.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {detectFormat, READERS} from "./index.js";
import {generateOtlpLine} from "./otlpSynth.js";

/** Every JSON file under a shared folder, except documentation, licenses and JSON Schemas. */
function fixtureFiles(folder: string): string[] {
  const root = sharedPath(folder);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const p = path.join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".json") && !entry.endsWith(".schema.json")) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** What ingest would pick for a whole-document file: the document, else its first element when it splits. */
function detectFile(file: string): string | undefined {
  const value: unknown = JSON.parse(readFileSync(file, "utf8"));
  const name = path.basename(file);
  const direct = detectFormat(value, name);
  if (direct) return direct.format;
  if (Array.isArray(value) && value.length > 0) {
    const element = detectFormat(value[0], name);
    if (element?.splitArrays) return element.format;
  }
  return undefined;
}

function expectedFormat(file: string): string | undefined {
  const rel = file.replaceAll(path.sep, "/");
  if (rel.endsWith("vercel-capture-results.json") || rel.endsWith(".chatml.json")) return undefined;
  if (rel.includes("/otlp/")) return "otlp";
  if (rel.includes("/openinference/")) return "openinference";
  if (rel.includes("/langfuse/")) return "langfuse";
  if (rel.includes("/langsmith/")) return "langsmith";
  throw new Error(`no expectation for ${file}`);
}

test("the registry has one reader per format, each format exactly once", () => {
  assert.deepEqual(READERS.map((r) => r.format).sort(), [...FORMATS].sort());
});

test("detectFormat picks the right reader for every real trace-format fixture, and none for the capture summary", () => {
  const files = fixtureFiles("formats");
  // 2 OTLP + 8 OpenInference/Vercel + 20 Langfuse + 7 LangSmith JSON files (schemas excluded).
  assert.equal(files.length, 37);
  for (const file of files)
    assert.equal(detectFile(file), expectedFormat(file), path.relative(sharedPath("formats"), file));
});

test("detectFormat reads the tau-bench file as tau-bench runs, by the document and by its first record", () => {
  const file = sharedPath("tau-bench-airline", "gpt-4o-airline.json");
  assert.equal(detectFile(file), "tau-bench");
  const runs = JSON.parse(readFileSync(file, "utf8")) as unknown[];
  assert.equal(detectFormat(runs[0], "gpt-4o-airline.json")?.format, "tau-bench");
  assert.equal(detectFormat(runs[0], "gpt-4o-airline.json")?.splitArrays, true);
});

test("detectFormat recognises all 184 Who&When runs", () => {
  const files = fixtureFiles("who-and-when");
  assert.equal(files.length, 184);
  for (const file of files) assert.equal(detectFile(file), "who-and-when", file);
});

test("detectFormat recognises JSON Lines records: OTLP lines, chat transcripts and LangSmith runs", () => {
  assert.equal(detectFormat(JSON.parse(generateOtlpLine(0, 10)), "x.jsonl")?.format, "otlp");
  assert.equal(
    detectFormat({messages: [{role: "user", content: "hi"}], id: "c1"}, "chats.jsonl")?.format,
    "chat-jsonl"
  );
  assert.equal(detectFormat([{role: "user", content: "hi"}], "chats.jsonl")?.format, "chat-jsonl");
  assert.equal(
    detectFormat({id: "r1", trace_id: "r1", run_type: "chain", inputs: {}}, "runs.jsonl")?.format,
    "langsmith"
  );
  assert.equal(detectFormat({hello: "world"}, "x.json"), undefined);
  assert.equal(detectFormat("text", "x.json"), undefined);
  assert.equal(detectFormat([1, 2], "x.json"), undefined);
});
