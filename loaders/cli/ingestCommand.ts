/** @module `plumbline ingest <files or folders>`. */
import {FORMATS} from "../../src/core/schemas/trace.js";
import {ingest, type IngestSummary} from "../ingest/ingest.js";
import {FLAG_KINDS, type FlagKind} from "../ingest/flags.js";
import {parseFormat} from "../ingest/formatOf.js";
import {workspaceDir} from "../store/db.js";
import {parseVerbArgs, usageError} from "./error.js";
import type {Command, Io} from "./command.js";
import {progressBar} from "./progress.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline ingest [options] <file or folder>...

Reads traces into the workspace's DuckDB store. Folders are walked for .json, .jsonl and .ndjson files,
and for gzip-compressed ones (.json.gz, .jsonl.gz, .ndjson.gz); a gzip file named directly is read whatever
its name. Symbolic links are followed once; broken links and links that loop are skipped with a reason.
The format of each file is what most of its first 16 records have; --format names it instead.
Re-ingesting the same input adds nothing.

Bad input loses nothing. A record that cannot be stored (invalid JSON or UTF-8, a record of another format
than its file's, missing ids, a stored row over 32 MiB) is reported with its file, line and reason, written
whole to <workspace>/quarantine/, and the rest of the input is still ingested. Odd values are kept and
flagged in the summary: lone UTF-16 surrogates (stored as U+FFFD), numbers the store cannot hold (token
counts beyond 2^53, times beyond the year 275760: stored as unknown), negative durations and token counts,
and spans given twice with other content (the copy already stored stays).

Formats: ${FORMATS.join(", ")}

Options:
  --format <name>      read every file as this format
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --workers <n>        worker threads for large JSON Lines files (default: cores, at most 4; 0 = none)
  --strict             exit with status 1 when any record was rejected or any file skipped
  --json               print the summary as JSON
  --timings            print how long each step took, on standard error
  -h, --help           show this help

Exit status: 0 when something was ingested, 1 when nothing was (or --strict and anything was rejected or skipped),
2 on a usage error.`;

export const command: Command = {
  name: "ingest",
  summary: "read trace files into the workspace",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("ingest", {
      args,
      allowPositionals: true,
      options: {
        format: {type: "string"},
        workspace: {type: "string"},
        workers: {type: "string"},
        strict: {type: "boolean", default: false},
        json: {type: "boolean", default: false},
        timings: {type: "boolean", default: false}
      }
    });
    if (positionals.length === 0) throw usageError("name at least one file or folder to ingest", "ingest");
    let format;
    try {
      format = values.format === undefined ? undefined : parseFormat(values.format);
    } catch (error) {
      throw usageError((error as Error).message, "ingest");
    }
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) {
      throw usageError(`invalid --workers: ${values.workers}`, "ingest");
    }
    const workspace = values.workspace ?? workspaceDir(io.env);
    const bar = progressBar("ingest");
    let summary: IngestSummary;
    try {
      summary = await ingest(
        {workspace, paths: positionals, ...(format ? {format} : {}), ...(workers === undefined ? {} : {workers})},
        {
          log: (line) => io.err(line),
          progress: (done, total, detail) => bar.update(done, total, detail),
          ...(values.timings
            ? {timing: (step: string, ms: number) => io.err(`timing: ${step} ${(ms / 1000).toFixed(2)} s`)}
            : {})
        }
      );
    } finally {
      bar.done();
    }
    await afterWorkspaceChange(workspace);
    if (values.json) io.out(JSON.stringify({...summary, peakRssMb: process.resourceUsage().maxRSS / 1024}, null, 2));
    else printSummary(summary, io);
    const skipped = summary.files.filter((f) => f.error).length;
    if (summary.ingested === 0) return 1;
    if (values.strict && (summary.rejected > 0 || skipped > 0)) return 1;
    return 0;
  }
};

function printSummary(summary: IngestSummary, io: Io): void {
  for (const rejected of summary.rejectedSample) {
    const where =
      rejected.element === undefined ? `${rejected.line}` : `${rejected.line} (element ${rejected.element})`;
    io.err(`${rejected.file}:${where}: ${rejected.reason}`);
  }
  if (summary.rejected > summary.rejectedSample.length) {
    io.err(`… and ${summary.rejected - summary.rejectedSample.length} more rejected records`);
  }
  for (const item of summary.flaggedSample) {
    const where = item.element === undefined ? `${item.line}` : `${item.line} (element ${item.element})`;
    io.err(`${item.file}:${where}: kept, flagged: ${item.detail}`);
  }
  for (const conflict of summary.conflictSample) {
    io.err(
      `span ${conflict.spanId} of trace ${conflict.traceId} was given again with other content; ` +
        (conflict.stored ? "the stored copy stays" : "one copy was stored, the other not")
    );
  }
  const seconds = summary.durationMs / 1000;
  const files = summary.files.length;
  const skipped = summary.files.filter((f) => f.error).length;
  io.out(
    [
      `read ${summary.records} records from ${files} file${files === 1 ? "" : "s"} in ${seconds.toFixed(1)} s` +
        (skipped ? ` (${skipped} skipped)` : ""),
      `  ingested ${summary.ingested}, rejected ${summary.rejected}`,
      ...(flagLine(summary) ? [`  kept with flags: ${flagLine(summary)}`] : []),
      `  added ${summary.added.traces} traces, ${summary.added.spans} spans, ` +
        `${summary.added.messages} messages, ${summary.added.toolCalls} tool calls, ${summary.added.feedback} feedback`,
      ...(summary.quarantineFile ? [`  rejected records written to ${summary.quarantineFile}`] : [])
    ].join("\n")
  );
}

const FLAG_NAMES: Record<FlagKind, string> = {
  loneSurrogates: "lone surrogates replaced",
  outOfRange: "out-of-range numbers stored as unknown",
  negativeDuration: "negative durations",
  negativeTokens: "negative token counts"
};

/** The flag counts that are not zero, as "n records with …", or "" when there are none. */
function flagLine(summary: IngestSummary): string {
  const parts = FLAG_KINDS.filter((kind) => summary.flags[kind] > 0).map(
    (kind) => `${FLAG_NAMES[kind]} in ${summary.flags[kind]} record${summary.flags[kind] === 1 ? "" : "s"}`
  );
  if (summary.added.conflictingSpans > 0)
    parts.push(
      `${summary.added.conflictingSpans} span${summary.added.conflictingSpans === 1 ? "" : "s"} given again with other content`
    );
  return parts.join(", ");
}
