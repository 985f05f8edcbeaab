/** @module `plumbline review outcome|list`: what each completed review led to, and the reviews that led nowhere. */
import {summarizeReviews, type CompletedReview} from "../../src/core/datasets/reviews.js";
import {REVIEW_OUTCOMES, ReviewOutcomeKindSchema} from "../../src/core/schemas/reviewOutcome.js";
import {readQueues} from "../annotations/files.js";
import {readLabels} from "../annotations/snapshot.js";
import {readOutcomes, recordOutcomes} from "../annotations/reviewOutcomes.js";
import {withConnection, workspaceDir} from "../store/db.js";
import {DatasetError, parseDatasetRef} from "../store/datasets.js";
import {requireWorkspace} from "./clusterCommand.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command, Io} from "./command.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline review <outcome | list> [options]

A review is complete when a queue item has been labelled by as many annotators as its queue asks for. Every
completed review should lead somewhere; its outcome says where:
  ${REVIEW_OUTCOMES.join(", ")}
Promoting a trace into a dataset records dataset_case by itself.

  outcome <trace-id> --outcome <kind> --by <who> [--queue <id>] [--note <text>]
          [--evaluator <id>] [--dataset <name@version>]
      Records what the trace's completed review led to (in every queue that completed it, or in --queue).
  list [--nowhere] [--json]
      Completed reviews with their outcomes; --nowhere lists only those that led nowhere (no outcome, or none).

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  -h, --help           show this help

Outcomes are appended to <workspace>/annotations/review-outcomes.jsonl and mirrored into the review_outcomes table.`;

function reviewsOf(workspace: string, io: Io) {
  const {queues, problems: queueProblems} = readQueues(workspace);
  const log = readLabels(workspace);
  const {outcomes, problems} = readOutcomes(workspace);
  for (const p of queueProblems) io.err(`${p.file}: ${p.reason}`);
  for (const p of [...log.problems, ...problems]) io.err(`${p.file}:${p.line}: ${p.reason}`);
  return summarizeReviews(queues, log.annotations, outcomes);
}

const describe = (r: CompletedReview) =>
  `${r.queueId}\t${r.traceId}\t${r.annotators.join(", ")}\t${r.outcomes.length ? r.outcomes.map((o) => o.outcome + (o.note ? ` (${o.note})` : "")).join("; ") : "no outcome"}`;

export const command: Command = {
  name: "review",
  summary: "record what completed reviews led to; list those that led nowhere",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("review", {
      args,
      allowPositionals: true,
      options: {
        workspace: {type: "string"},
        outcome: {type: "string"},
        by: {type: "string"},
        queue: {type: "string"},
        note: {type: "string"},
        evaluator: {type: "string"},
        dataset: {type: "string"},
        nowhere: {type: "boolean", default: false},
        json: {type: "boolean", default: false}
      }
    });
    const [action, traceId] = positionals;
    const workspace = values.workspace ?? workspaceDir(io.env);
    if (action === "list") {
      const summary = reviewsOf(workspace, io);
      const reviews = values.nowhere ? summary.reviews.filter((r) => r.ledNowhere) : summary.reviews;
      if (values.json) {
        io.out(JSON.stringify({...summary, reviews}, null, 2));
        return 0;
      }
      io.out(
        `${summary.completed} completed reviews, ${summary.ledNowhere} led nowhere; ` +
          REVIEW_OUTCOMES.filter((k) => k !== "none")
            .map((k) => `${k} ${summary.byOutcome[k]}`)
            .join(", ")
      );
      for (const r of reviews) io.out(describe(r));
      return 0;
    }
    if (action !== "outcome")
      throw usageError(action ? `unknown review action: ${action}` : "name an action: outcome or list", "review");
    if (!traceId)
      throw usageError(
        "name the reviewed trace: plumbline review outcome <trace-id> --outcome <kind> --by <who>",
        "review"
      );
    const kind = ReviewOutcomeKindSchema.safeParse(values.outcome);
    if (!kind.success)
      throw usageError(
        `invalid --outcome: ${values.outcome ?? "(none)"} (one of ${REVIEW_OUTCOMES.join(", ")})`,
        "review"
      );
    if (!values.by?.trim()) throw usageError("say who decided: --by <name>", "review");
    let dataset = null;
    if (values.dataset !== undefined) {
      try {
        const parsed = parseDatasetRef(values.dataset);
        if (parsed.version === undefined) throw new DatasetError("name the version: --dataset <name@version>");
        dataset = {name: parsed.name, version: parsed.version};
      } catch (error) {
        throw usageError((error as Error).message, "review");
      }
    }
    requireWorkspace(workspace);
    const completed = reviewsOf(workspace, io).reviews.filter(
      (r) => r.traceId === traceId && (values.queue === undefined || r.queueId === values.queue)
    );
    if (!completed.length) {
      throw new CliError(
        `${traceId} has no completed review${values.queue ? ` in queue ${values.queue}` : ""}: outcomes are recorded once every ` +
          "annotator the queue asks for has labelled the trace; `plumbline queue show <id>` shows where it stands"
      );
    }
    await withConnection(workspace, (c) =>
      recordOutcomes(
        c,
        workspace,
        [
          {
            traceId,
            queueId: values.queue ?? null,
            outcome: kind.data,
            by: values.by!.trim(),
            note: values.note?.trim() || null,
            dataset,
            evaluatorId: values.evaluator ?? null
          }
        ],
        new Date()
      )
    );
    await afterWorkspaceChange(workspace);
    io.out(`recorded ${kind.data} for ${traceId} (${completed.map((r) => r.queueId).join(", ")})`);
    return 0;
  }
};
