/**
 * @module The datasets page's data, read from a workspace without writing it: dataset versions and their cases
 * from the store, reviews from the queue files, the annotation log and the review-outcome file.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {caseKey, type CaseView, type DatasetsPageData, type DatasetView} from "../../src/core/datasets/pageData.js";
import {summarizeReviews} from "../../src/core/datasets/reviews.js";
import {readQueues} from "../annotations/files.js";
import {readLabels} from "../annotations/snapshot.js";
import {readOutcomes} from "../annotations/reviewOutcomes.js";
import {listDatasetVersions, readDatasetCases} from "../store/datasets.js";

export async function readDatasetsPageData(connection: DuckDBConnection, workspace: string): Promise<DatasetsPageData> {
  const datasets: DatasetView[] = [];
  const cases: Record<string, CaseView> = {};
  for (const v of await listDatasetVersions(connection)) {
    let dataset = datasets.at(-1);
    if (dataset?.name !== v.name) datasets.push((dataset = {name: v.name, versions: []}));
    const keys: string[] = [];
    for (const c of (await readDatasetCases(connection, v.name, v.version)).cases) {
      const key = caseKey(v.name, c.caseId, c.addedAt);
      keys.push(key);
      cases[key] ??= {
        caseId: c.caseId,
        kind: c.kind,
        failureMode: c.failureMode,
        criterion: c.criterion,
        input: c.input,
        expectedOutput: c.expectedOutput,
        expectedBehaviour: c.expectedBehaviour,
        sourceTraceId: c.sourceTraceId,
        addedBy: c.addedBy,
        reason: c.reason,
        addedAt: c.addedAt,
        status: c.context.status,
        messages: c.context.messages.map((m) => ({role: m.role, name: m.name ?? null, content: m.content})),
        toolCalls: c.context.toolCalls.map((t) => ({
          name: t.name,
          arguments: t.arguments,
          result: t.result,
          success: t.success
        }))
      };
    }
    dataset.versions.push({
      version: v.version,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      source: v.source,
      note: v.note,
      added: v.added,
      removed: v.removed,
      cases: keys
    });
  }
  const {queues, problems: queueProblems} = readQueues(workspace);
  const log = readLabels(workspace);
  const {outcomes, problems: outcomeProblems} = readOutcomes(workspace);
  const summary = summarizeReviews(queues, log.annotations, outcomes);
  return {
    datasets,
    cases,
    reviews: {
      completed: summary.completed,
      ledNowhere: summary.ledNowhere,
      byOutcome: summary.byOutcome,
      nowhere: summary.reviews
        .filter((r) => r.ledNowhere)
        .map((r) => ({
          queueId: r.queueId,
          queueName: r.queueName,
          traceId: r.traceId,
          criterion: r.criterion,
          annotators: r.annotators,
          outcomes: r.outcomes.map((o) => ({outcome: o.outcome, note: o.note, by: o.by, at: o.at}))
        }))
    },
    problems: [
      ...queueProblems.map((p) => `${p.file}: ${p.reason}`),
      ...[...log.problems, ...outcomeProblems].map((p) => `${p.file}:${p.line}: ${p.reason}`)
    ]
  };
}
