/** @module `plumbline queue create|list|show`: prioritized annotation queues. */
import {queueProgress} from "../../src/core/queue/progress.js";
import {readQueues} from "../annotations/files.js";
import {readLabels} from "../annotations/snapshot.js";
import {buildQueue} from "../annotations/queues.js";
import {withConnection, workspaceDir} from "../store/db.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command} from "./command.js";

const help = `Usage: plumbline queue <create|list|show> [options]

Annotation queues: traces in priority order for named annotators. Priority comes from signals (negative
feedback, escalations, tool errors, repeated tool calls, re-submitted requests, unusually long sessions,
token/cost/latency outliers per model, hedging answers, judge–human disagreement, clusters no evaluator covers
yet), weighted by the size of the trace's failure cluster, with a seeded random share as a backstop.

  plumbline queue create <id> --annotators <a,b,…> [options]
      Creates the queue, or adds --size more traces to it; a trace is never added to a queue twice.
      --name <text>            a display name (default: the id)
      --size <n>               how many traces to add (default 50)
      --per-trace <n>          how many different annotators label each trace (default 1; 2+ measures agreement)
      --criterion <id>         the rubric criterion that marks a trace done (default overall)
      --random-share <0..1>    the share of the queue drawn at random (default 0.1)
      --seed <n>               the random seed (default 1)
      --model, --status, --format <value>, --text <substring>, --min-score <n>   which traces qualify
  plumbline queue list                  every queue with its progress
  plumbline queue show <id> [--json]    the queue's items, why each is there, and each annotator's progress

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  -h, --help           show this help`;

function number(value: string | undefined, name: string, fallback: number, check: (n: number) => boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw usageError(`invalid --${name}: ${value}`, "queue");
  return n;
}

export const command: Command = {
  name: "queue",
  summary: "create and inspect prioritized annotation queues",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("queue", {
      args,
      allowPositionals: true,
      options: {
        workspace: {type: "string"},
        annotators: {type: "string"},
        name: {type: "string"},
        size: {type: "string"},
        "per-trace": {type: "string"},
        criterion: {type: "string"},
        "random-share": {type: "string"},
        seed: {type: "string"},
        model: {type: "string"},
        status: {type: "string"},
        format: {type: "string"},
        text: {type: "string"},
        "min-score": {type: "string"},
        json: {type: "boolean", default: false}
      }
    });
    const [action, id] = positionals;
    const workspace = values.workspace ?? workspaceDir(io.env);
    const labels = () => {
      const {annotations, problems} = readLabels(workspace);
      for (const p of problems) io.err(`${p.file}:${p.line}: ${p.reason}`);
      return annotations;
    };
    switch (action) {
      case "create": {
        if (!id) throw usageError("name the queue: plumbline queue create <id> --annotators a,b", "queue");
        const annotators = (values.annotators ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        const existing = readQueues(workspace).queues.some((q) => q.id === id);
        if (!annotators.length && !existing) throw usageError("name the annotators: --annotators ana,bo", "queue");
        const filter = Object.fromEntries(
          Object.entries({
            model: values.model,
            status: values.status,
            format: values.format,
            text: values.text,
            minScore:
              values["min-score"] === undefined ? undefined : number(values["min-score"], "min-score", 0, () => true)
          }).filter(([, v]) => v !== undefined)
        );
        let result;
        try {
          result = await withConnection(workspace, (connection) =>
            buildQueue(
              workspace,
              connection,
              {
                id,
                name: values.name,
                annotators,
                criterion: values.criterion,
                filter,
                size: number(values.size, "size", 50, (n) => Number.isInteger(n) && n > 0),
                annotatorsPerTrace:
                  values["per-trace"] === undefined
                    ? undefined
                    : number(values["per-trace"], "per-trace", 1, (n) => Number.isInteger(n) && n >= 1),
                randomShare:
                  values["random-share"] === undefined
                    ? undefined
                    : number(values["random-share"], "random-share", 0.1, (n) => n >= 0 && n <= 1),
                seed: values.seed === undefined ? undefined : number(values.seed, "seed", 1, Number.isInteger)
              },
              Date.now()
            )
          );
        } catch (error) {
          if (/invalid queue|a queue id/.test(String(error)))
            throw usageError(String((error as Error).message), "queue");
          throw error;
        }
        io.out(
          `${existing ? "added" : "created"} ${result.added} traces ${existing ? "to" : "in"} queue ${id} (${result.queue.items.length} in all)`
        );
        if (!result.added) io.err("no new trace qualified: widen the filter or lower --min-score");
        return 0;
      }
      case "list": {
        const {queues, problems} = readQueues(workspace);
        for (const p of problems) io.err(`${p.file}: ${p.reason}`);
        if (!queues.length) io.out("no queues yet; create one with `plumbline queue create <id> --annotators a,b`");
        const current = labels();
        for (const q of queues) {
          const p = queueProgress(q, current);
          io.out(
            `${q.id}\t${q.name}\t${p.complete}/${p.total} complete\t${q.annotators.join(", ")}\t${q.annotatorsPerTrace} per trace`
          );
        }
        return 0;
      }
      case "show": {
        const queue = readQueues(workspace).queues.find((q) => q.id === id);
        if (!queue) throw new CliError(`no queue ${id ?? "(none named)"}; \`plumbline queue list\` shows the queues`);
        const progress = queueProgress(queue, labels());
        if (values.json) {
          io.out(JSON.stringify({queue, progress}, null, 2));
          return 0;
        }
        io.out(
          `${queue.name}: ${progress.complete} of ${progress.total} complete, ${queue.annotatorsPerTrace} annotator(s) per trace`
        );
        for (const a of progress.annotators) io.out(`  ${a.annotator}: ${a.done} done, ${a.remaining} remaining`);
        queue.items.forEach((item, i) => {
          const why = item.random ? "random sample" : item.contributions.map((c) => c.reason).join("; ");
          io.out(`${String(i + 1).padStart(4)}  ${item.score.toFixed(2).padStart(7)}  ${item.traceId}  ${why}`);
        });
        return 0;
      }
      default:
        throw usageError(action ? `unknown queue action: ${action}` : "name an action: create, list or show", "queue");
    }
  }
};
