/** @module `plumbline annotations export|agreement|adjudicate|rubric`. */
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {agreementByCriterion} from "../../src/core/agreement/perCriterion.js";
import {parseRubric} from "../../src/core/schemas/rubric.js";
import {readRubric, writeJsonAtomic, writeRubric} from "../annotations/files.js";
import {annotationDir, logPath} from "../annotations/log.js";
import {openAnnotationService} from "../annotations/service.js";
import {mirrorAnnotationLog} from "../annotations/mirror.js";
import {streamView} from "../store/annotationExport.js";
import {withConnection, workspaceDir} from "../store/db.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command} from "./command.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline annotations <export|agreement|adjudicate|rubric> [options]

  plumbline annotations export [--ground-truth] [--csv]
      Prints every current label (the human_labels view), or with --ground-truth one decision per trace and
      criterion (the ground_truth view), as JSON Lines or CSV.
  plumbline annotations agreement [--json]
      Per rubric criterion: Krippendorff's alpha (nominal) across annotators, Cohen's kappa for each pair,
      and how many traces they disagree on. Reviewer and QA labels only.
  plumbline annotations adjudicate <trace-id> --criterion <id> (--pass | --fail) --by <name>
                                   [--failure-mode <name>] [--explanation <text>]
      Settles a criterion on a trace; the decision becomes its ground truth. When the criterion has an owner,
      only the owner may.
  plumbline annotations rubric [--set <file>]
      Prints the workspace's rubric; --set validates a rubric file, gives it the next revision and makes it the
      workspace's rubric (earlier revisions are kept in annotations/rubrics/).

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  -h, --help           show this help`;

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const command: Command = {
  name: "annotations",
  summary: "export labels, measure agreement, adjudicate, edit the rubric",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("annotations", {
      args,
      allowPositionals: true,
      options: {
        workspace: {type: "string"},
        "ground-truth": {type: "boolean", default: false},
        csv: {type: "boolean", default: false},
        json: {type: "boolean", default: false},
        criterion: {type: "string"},
        pass: {type: "boolean", default: false},
        fail: {type: "boolean", default: false},
        by: {type: "string"},
        "failure-mode": {type: "string"},
        explanation: {type: "string"},
        set: {type: "string"}
      }
    });
    const [action, ...rest] = positionals;
    const workspace = values.workspace ?? workspaceDir(io.env);
    switch (action) {
      case "export": {
        // The export reads the store, brought up to date with the log first; it never loads the log or the whole
        // export into memory, so it works on a log of any size.
        let columns: string[] = [];
        let first = true;
        await withConnection(workspace, async (connection) => {
          await mirrorAnnotationLog(connection, logPath(workspace));
          await streamView(
            connection,
            values["ground-truth"] ? "ground_truth" : "human_labels",
            (names) => {
              columns = names;
              if (values.csv) io.out(names.join(","));
            },
            (rows) => {
              if (!rows.length) return;
              first = false;
              io.out(
                values.csv
                  ? rows.map((r) => r.map(csvCell).join(",")).join("\n")
                  : rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i]])))).join("\n")
              );
            }
          );
        });
        // An empty JSON Lines export still ends with a newline, as it did when it was printed in one piece.
        if (first && !values.csv) io.out("");
        return 0;
      }
      case "agreement": {
        const service = openAnnotationService({workspace});
        const labels = service.list().filter((a) => a.source === "reviewer" || a.source === "qa_review");
        await service.close();
        const results = agreementByCriterion(
          labels.map((a) => ({
            traceId: a.traceId,
            criterion: a.criterion,
            annotator: a.annotator,
            value: a.pass ?? a.label ?? a.score
          }))
        );
        if (values.json) {
          io.out(JSON.stringify(results, null, 2));
          return 0;
        }
        if (!results.length) io.out("no reviewer labels yet");
        const fmt = (x: number | null, reason: string | null) => (x === null ? `undefined (${reason})` : x.toFixed(3));
        for (const r of results) {
          io.out(
            `${r.criterion}: ${r.items} traces, ${r.annotators.length} annotators, alpha ${fmt(r.alpha.alpha, r.alpha.reason)}, ` +
              `${r.disagreements.length} disagreements`
          );
          for (const p of r.pairs)
            io.out(`  ${p.a} · ${p.b}: kappa ${fmt(p.kappa.kappa, p.kappa.reason)} over ${p.kappa.n} traces`);
        }
        return 0;
      }
      case "adjudicate": {
        const [traceId] = rest;
        if (!traceId || !values.criterion || !values.by || values.pass === values.fail) {
          throw usageError("give a trace id, --criterion, --by and exactly one of --pass or --fail", "annotations");
        }
        const service = openAnnotationService({workspace});
        try {
          const made = await service.adjudicate(
            {
              traceId,
              criterion: values.criterion,
              pass: values.pass,
              failureMode: values["failure-mode"] ?? null,
              explanation: values.explanation ?? null
            },
            values.by
          );
          await service
            .flush()
            .catch(() => io.err("the decision is in the log; the store catches up on the next start"));
          io.out(`decided ${made.criterion} on ${made.traceId}: ${made.pass ? "pass" : "fail"} (by ${made.annotator})`);
        } finally {
          await service.close();
        }
        await afterWorkspaceChange(workspace);
        return 0;
      }
      case "rubric": {
        const current = readRubric(workspace);
        if (!values.set) {
          io.out(JSON.stringify(current, null, 2));
          return 0;
        }
        let next;
        try {
          next = parseRubric(JSON.parse(readFileSync(values.set, "utf8")));
        } catch (error) {
          throw new CliError(`${values.set}: ${(error as Error).message}`, 2);
        }
        const revision = Math.max(current.revision, next.revision - 1) + 1;
        writeJsonAtomic(join(annotationDir(workspace), "rubrics", `revision-${current.revision}.json`), current);
        writeRubric(workspace, {...next, revision});
        io.out(
          `the workspace rubric is now revision ${revision} (${next.criteria.length} criteria); labels record the revision they were given under`
        );
        await afterWorkspaceChange(workspace);
        return 0;
      }
      default:
        throw usageError(
          action ? `unknown annotations action: ${action}` : "name an action: export, agreement, adjudicate or rubric",
          "annotations"
        );
    }
  }
};
