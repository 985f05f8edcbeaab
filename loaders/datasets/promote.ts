/**
 * @module Promoting traces into a dataset: from an annotation queue, a cluster, a failure mode or a list of
 * trace ids. The traces are chosen and ordered by `selectCases` (confirmed failures first, then what is worth
 * protecting), turned into self-contained cases with their full context, and written as the dataset's next
 * version; each promoted trace records the review outcome `dataset_case`.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {selectCases, type Pick, type SelectOptions} from "../../src/core/datasets/select.js";
import {
  DATASET_FORMAT,
  DatasetCaseSchema,
  DatasetNameSchema,
  type DatasetCase
} from "../../src/core/schemas/dataset.js";
import type {Rubric} from "../../src/core/schemas/rubric.js";
import {readQueues, readRubric} from "../annotations/files.js";
import {logPath, scanLog} from "../annotations/log.js";
import {recordOutcomes} from "../annotations/reviewOutcomes.js";
import {loadRegistry} from "../failureModes/registry.js";
import {mirrorAnnotationLog} from "../annotations/mirror.js";
import {DatasetError, latestVersion, readDatasetCases} from "../store/datasets.js";
import {
  finalAnswerQuantile,
  orderTraces,
  readCandidates,
  readClusterTraces,
  readCorrectedOutputs,
  readFailureModeTraces,
  readTopics
} from "../store/datasetSources.js";
import {readJudgeItems} from "../store/judgeItems.js";
import {writeNextVersion} from "./versions.js";

export type PromoteSource =
  | {kind: "queue"; id: string}
  | {kind: "cluster"; id: string}
  | {kind: "failure-mode"; name: string}
  | {kind: "traces"; ids: readonly string[]};

export interface PromoteRequest {
  workspace: string;
  name: string;
  source: PromoteSource;
  addedBy: string;
  /** Why these cases are added, in the promoter's words; each case adds why it was chosen. */
  reason?: string;
  /** At most this many new cases, taken in selection order. */
  limit?: number;
  /** An answer at least this many characters long is a long output (default: the workspace's 90th percentile). */
  longOutputChars?: number;
  /** Choose, but write nothing. */
  dryRun?: boolean;
  now: Date;
}

export interface PromoteResult {
  name: string;
  /** The version written; null when nothing was added (or on a dry run). */
  version: number | null;
  picks: Pick[];
  added: DatasetCase[];
  skipped: {traceId: string; reason: string}[];
  longOutputChars: number | null;
  /** Lines of the annotation log that could not be read (they are left out of ground truth). */
  problems: string[];
}

function sourceText(source: PromoteSource): string {
  switch (source.kind) {
    case "queue":
      return `queue:${source.id}`;
    case "cluster":
      return `cluster:${source.id}`;
    case "failure-mode":
      return `failure-mode:${source.name}`;
    case "traces":
      return `traces:${source.ids.length}`;
  }
}

interface Resolved {
  traceIds: string[];
  criterion: string | null;
  failureMode: string | null;
  keepAll: boolean;
  queueId: string | null;
}

async function resolve(connection: DuckDBConnection, request: PromoteRequest): Promise<Resolved> {
  const source = request.source;
  switch (source.kind) {
    case "queue": {
      const queue = readQueues(request.workspace).queues.find((q) => q.id === source.id);
      if (!queue) throw new DatasetError(`no queue ${source.id}; \`plumbline queue list\` shows the queues`);
      return {
        traceIds: queue.items.map((i) => i.traceId),
        criterion: queue.criterion,
        failureMode: null,
        keepAll: false,
        queueId: queue.id
      };
    }
    case "cluster": {
      const cluster = await readClusterTraces(connection, source.id);
      if (!cluster)
        throw new DatasetError(
          `no cluster ${source.id} in the workspace; run \`plumbline cluster\` and pick an id from the Clusters page`
        );
      return {traceIds: cluster.traceIds, criterion: null, failureMode: null, keepAll: false, queueId: null};
    }
    case "failure-mode": {
      const {modes} = await loadRegistry(connection, {workspace: request.workspace, now: request.now.getTime()});
      const mode = modes.find((m) => m.name === source.name);
      const traceIds = await readFailureModeTraces(connection, source.name, mode?.clusterIds ?? []);
      if (!mode && !traceIds.length)
        throw new DatasetError(
          `no failure mode named ${JSON.stringify(source.name)}; \`plumbline failure-mode list\` shows them`
        );
      return {traceIds, criterion: null, failureMode: source.name, keepAll: false, queueId: null};
    }
    case "traces": {
      const known = new Set(await orderTraces(connection, source.ids));
      const missing = source.ids.filter((id) => !known.has(id));
      if (missing.length)
        throw new DatasetError(`the workspace holds no trace ${missing.map((id) => JSON.stringify(id)).join(", ")}`);
      return {traceIds: [...source.ids], criterion: null, failureMode: null, keepAll: true, queueId: null};
    }
  }
}

function behaviour(pick: Pick, rubric: Rubric): string | null {
  const truth = pick.truth;
  if (!truth) return null;
  const question = rubric.criteria.find((c) => c.id === truth.criterion)?.question;
  const asked = question ? `${truth.criterion}: ${question}` : truth.criterion;
  const said = truth.explanation ? ` Reviewers: ${truth.explanation}` : "";
  return truth.pass
    ? `Keep passing ${asked}${said}`
    : `Should pass ${asked} The reviewed trace failed it${truth.failureMode ? ` (${truth.failureMode})` : ""}.${said}`;
}

/** Chooses the traces, builds their cases and writes the dataset's next version. */
export async function promoteTraces(connection: DuckDBConnection, request: PromoteRequest): Promise<PromoteResult> {
  const name = DatasetNameSchema.safeParse(request.name);
  if (!name.success)
    throw new DatasetError(`invalid dataset name ${JSON.stringify(request.name)}: ${name.error.issues[0]!.message}`);
  // Ground truth is read from the store's mirror of the annotation log: bring it up to date first.
  await mirrorAnnotationLog(connection, logPath(request.workspace));
  // The log's bad lines are still reported, read as a stream that keeps nothing else.
  const log = scanLog(logPath(request.workspace), () => undefined, {final: true});
  const resolved = await resolve(connection, request);
  const latest = await latestVersion(connection, request.name);
  const previous = latest === null ? [] : (await readDatasetCases(connection, request.name, latest)).cases;
  const existingTraces = previous.flatMap((c) => (c.sourceTraceId ? [c.sourceTraceId] : []));
  const quantile = request.longOutputChars ?? (await finalAnswerQuantile(connection, 0.9));
  const options: SelectOptions = {
    failureMode: resolved.failureMode,
    criterion: resolved.criterion,
    keepAll: resolved.keepAll,
    existing: new Set([...existingTraces, ...previous.map((c) => c.caseId)]),
    coveredTopics: await readTopics(connection, existingTraces),
    longOutputChars: quantile === null ? Number.POSITIVE_INFINITY : Math.ceil(quantile)
  };
  const selection = selectCases(await readCandidates(connection, resolved.traceIds), options);
  const picks = request.limit === undefined ? selection.picks : selection.picks.slice(0, request.limit);
  const skipped = [
    ...selection.skipped,
    ...selection.picks
      .slice(picks.length)
      .map((p) => ({traceId: p.traceId, reason: `over the limit of ${request.limit}`}))
  ];
  const ids = picks.map((p) => p.traceId);
  const items = new Map((await readJudgeItems(connection, {traceIds: ids})).map((i) => [i.traceId, i]));
  const corrected = await readCorrectedOutputs(connection, ids, resolved.criterion);
  const rubric = readRubric(request.workspace);
  const addedAt = request.now.toISOString();
  const added = picks.map((pick) => {
    const item = items.get(pick.traceId)!;
    // A case's context is the trace as evaluators read it; what an experiment's case expected is not part of it.
    const {expected: _expected, ...context} = item.rule;
    const criterion = pick.truth?.criterion ?? resolved.criterion;
    return DatasetCaseSchema.parse({
      format: DATASET_FORMAT,
      caseId: pick.traceId,
      input: item.rule.messages.find((m) => m.role === "user" && m.content)?.content ?? null,
      context,
      expectedOutput: corrected.get(pick.traceId) ?? null,
      expectedBehaviour: behaviour(pick, rubric),
      failureMode:
        pick.kind === "confirmed_failure" ? (pick.truth?.failureMode ?? resolved.failureMode) : resolved.failureMode,
      criterion: criterion ?? null,
      kind: pick.kind,
      sourceTraceId: pick.traceId,
      addedBy: request.addedBy,
      reason: request.reason ? `${request.reason}; ${pick.why}` : pick.why,
      addedAt
    });
  });
  const problems = log.problems.map((p) => `${p.file}:${p.line}: ${p.reason}`);
  const result = {
    name: request.name,
    picks,
    added,
    skipped,
    longOutputChars: Number.isFinite(options.longOutputChars) ? options.longOutputChars : null,
    problems
  };
  if (request.dryRun || !added.length) return {...result, version: null};
  const written = await writeNextVersion(connection, {
    name: request.name,
    add: added,
    createdBy: request.addedBy,
    source: sourceText(request.source),
    note: request.reason ?? null,
    now: request.now
  });
  await recordOutcomes(
    connection,
    request.workspace,
    added.map((c) => ({
      traceId: c.sourceTraceId!,
      queueId: resolved.queueId,
      outcome: "dataset_case" as const,
      by: request.addedBy,
      note: c.reason,
      dataset: {name: request.name, version: written.version!}
    })),
    request.now
  );
  return {...result, version: written.version};
}
