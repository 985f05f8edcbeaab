/** @module `plumbline feedback import`: thumbs, support tickets and QA review sheets as labels. */
import {FEEDBACK_FIELDS, type ColumnMapping, type FeedbackField} from "../../src/core/annotations/feedbackMapping.js";
import {FEEDBACK_KINDS, importFeedback, type FeedbackKind} from "../annotations/feedbackImport.js";
import {openAnnotationService} from "../annotations/service.js";
import {workspaceDir} from "../store/db.js";
import {parseVerbArgs, usageError} from "./error.js";
import type {Command} from "./command.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline feedback import <file> --kind <thumbs|tickets|qa> [options]

Imports feedback kept outside Plumbline as labels tied to traces:
  thumbs    thumbs up/down from an app's logs (JSON Lines or CSV); source end_user
  tickets   a support-ticket export (CSV); a ticket without a verdict column counts as a failure; source support_ticket
  qa        a QA review sheet (CSV) with a pass/fail or rating column; source qa_review

Columns are recognised by common header names (trace_id, rating, thumbs, comment, reviewer, category,
created_at, …) or named with --map. Verdicts read: up/down, 👍/👎, pass/fail, yes/no, true/false, 0/1, scores in
[0, 1] (pass at 0.5) and 1–5 ratings (pass at 4). A severity or priority column reads as low, medium, high or
critical (urgent, P1, Sev 2, minor, normal… too). Rows that name no trace in the workspace, or whose verdict or
severity cannot be read, are not dropped: they go to a report file (JSON Lines: line, reason, row). Importing the same
file twice adds nothing.

Options:
  --kind <kind>             thumbs, tickets or qa (required)
  --map <field=column,…>    name columns; fields: ${FEEDBACK_FIELDS.join(", ")}
  --criterion <id>          the rubric criterion to label when no column names one (default overall)
  --report <file>           where to write rows not imported (default: <workspace>/annotations/feedback-report-<time>.jsonl)
  --workspace <dir>         the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --json                    print the summary as JSON
  -h, --help                show this help

Exit status: 0 when every row was imported or already there, 1 when some rows went to the report, 2 on a usage error.`;

function parseMapping(text: string | undefined): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const pair of (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = pair.indexOf("=");
    const field = pair.slice(0, at) as FeedbackField;
    if (at < 1 || !FEEDBACK_FIELDS.includes(field))
      throw usageError(`invalid --map entry: ${pair} (fields: ${FEEDBACK_FIELDS.join(", ")})`, "feedback");
    mapping[field] = pair.slice(at + 1);
  }
  return mapping;
}

export const command: Command = {
  name: "feedback",
  summary: "import thumbs, support tickets and QA sheets as labels",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("feedback", {
      args,
      allowPositionals: true,
      options: {
        kind: {type: "string"},
        map: {type: "string"},
        criterion: {type: "string"},
        report: {type: "string"},
        workspace: {type: "string"},
        json: {type: "boolean", default: false}
      }
    });
    const [action, file, ...rest] = positionals;
    if (action !== "import")
      throw usageError(action ? `unknown feedback action: ${action}` : "name an action: import", "feedback");
    if (!file || rest.length) throw usageError("name one file to import", "feedback");
    if (!values.kind || !(values.kind in FEEDBACK_KINDS))
      throw usageError(`--kind must be one of ${Object.keys(FEEDBACK_KINDS).join(", ")}`, "feedback");
    const workspace = values.workspace ?? workspaceDir(io.env);
    const service = openAnnotationService({workspace});
    try {
      const summary = await importFeedback(service, {
        file,
        kind: values.kind as FeedbackKind,
        mapping: parseMapping(values.map),
        criterion: values.criterion,
        reportPath: values.report
      });
      await service
        .flush()
        .catch((error) =>
          io.err(`the labels are in the log; the store will catch up on the next start (${(error as Error).message})`)
        );
      if (values.json) io.out(JSON.stringify(summary, null, 2));
      else {
        io.out(
          `imported ${summary.imported} of ${summary.rows} rows from ${file}` +
            (summary.alreadyImported ? ` (${summary.alreadyImported} were already imported)` : "")
        );
        io.out(
          `columns: ${Object.entries(summary.mapping)
            .map(([f, c]) => `${f}=${c}`)
            .join(", ")}`
        );
        if (summary.report)
          io.err(
            `${summary.unmatched} rows matched no trace and ${summary.invalid} were invalid; see ${summary.report}`
          );
      }
      if (summary.imported) await afterWorkspaceChange(workspace);
      return summary.report ? 1 : 0;
    } finally {
      await service.close();
    }
  }
};
