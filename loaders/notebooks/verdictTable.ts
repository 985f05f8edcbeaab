/**
 * @module The verdict table for notebooks (`src/notebooks/data/verdicts.arrow`): every judge verdict that has a
 * human ground truth, beside the model, prompt version and start time of its trace, as Arrow IPC. Notebooks slice
 * calibration by any of these columns. The rows are those of `plumbline calibrate export`, in-sample ones marked.
 *
 * `@duckdb/node-api` has no Arrow output and DuckDB's arrow extension cannot be installed offline, so the rows are
 * read from DuckDB and encoded with apache-arrow, as the trace list is (`../store/traceList.ts`).
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {Bool, Dictionary, Float64, Table, Uint32, Utf8, tableToIPC, vectorFromArray, type DataType} from "apache-arrow";
import {readAligned} from "../store/calibration.js";
import {tableExists} from "../store/db.js";
import type {InSampleTraces} from "../calibration/inSample.js";

type Kind = "string" | "category" | "number" | "boolean";

/** The columns, in file order, with their encoding; docs/notebooks.md describes each. */
export const VERDICT_COLUMNS: [name: string, kind: Kind][] = [
  ["evaluator_id", "category"],
  ["evaluator_version", "category"],
  ["judge_prompt_version", "category"],
  ["criterion", "category"],
  ["failure_mode", "category"],
  ["judge_model", "category"],
  ["trace_id", "string"],
  ["judge", "category"],
  ["human", "category"],
  ["cell", "category"],
  ["in_sample", "boolean"],
  ["model", "category"],
  ["prompt_version", "category"],
  ["trace_start", "number"],
  ["first_seen", "number"],
  ["reasoning", "string"],
  ["explanation", "string"],
  ["decided_by", "category"],
  ["run_id", "category"],
  ["dataset_version", "category"]
];

function arrowType(kind: Kind): DataType {
  if (kind === "category") return new Dictionary(new Utf8(), new Uint32());
  if (kind === "number") return new Float64();
  if (kind === "boolean") return new Bool();
  return new Utf8();
}

const CELLS = {"fail fail": "tp", "pass fail": "fp", "fail pass": "fn", "pass pass": "tn"} as const;

/** Model, prompt version and start time (ms since the epoch) of every trace that has a verdict. */
async function traceFacts(
  connection: DuckDBConnection
): Promise<Map<string, [string | null, string | null, number | null]>> {
  const facts = new Map<string, [string | null, string | null, number | null]>();
  if (!(await tableExists(connection, "traces"))) return facts;
  const reader = await connection.runAndReadAll(
    `SELECT trace_id, model, prompt_version, epoch_us(start_time) / 1000.0 FROM traces
     WHERE trace_id IN (SELECT DISTINCT trace_id FROM judge_verdicts)`
  );
  for (const [id, model, prompt, start] of reader.getRows())
    facts.set(String(id), [model as string | null, prompt as string | null, start as number | null]);
  return facts;
}

export async function verdictTableIPC(connection: DuckDBConnection, inSample: InSampleTraces): Promise<Uint8Array> {
  const rows = (await tableExists(connection, "judge_verdicts")) ? await readAligned(connection) : [];
  const facts = rows.length ? await traceFacts(connection) : new Map();
  const columns: Record<string, unknown[]> = Object.fromEntries(VERDICT_COLUMNS.map(([name]) => [name, []]));
  const push = (name: string, value: unknown) => columns[name]!.push(value);
  for (const r of rows) {
    const [model, promptVersion, start] = facts.get(r.traceId) ?? [null, null, null];
    push("evaluator_id", r.evaluatorId);
    push("evaluator_version", r.evaluatorVersion);
    // A version is `<the spec's own version>+<content hash>`: the first part is the judge prompt's version.
    push("judge_prompt_version", r.evaluatorVersion.split("+")[0]);
    push("criterion", r.criterion);
    push("failure_mode", r.failureMode);
    push("judge_model", r.judgeModel);
    push("trace_id", r.traceId);
    push("judge", r.judge);
    push("human", r.human);
    push("cell", CELLS[`${r.human} ${r.judge}`]);
    push("in_sample", inSample.get(r.evaluatorId)?.has(r.traceId) ?? false);
    push("model", model);
    push("prompt_version", promptVersion);
    push("trace_start", start);
    push("first_seen", Date.parse(r.firstSeen));
    push("reasoning", r.reasoning);
    push("explanation", r.explanation);
    push("decided_by", r.decidedBy);
    push("run_id", r.runId);
    push("dataset_version", r.datasetVersion);
  }
  const vectors = Object.fromEntries(
    VERDICT_COLUMNS.map(([name, kind]) => [name, vectorFromArray(columns[name]!, arrowType(kind))])
  );
  return tableToIPC(new Table(vectors));
}
