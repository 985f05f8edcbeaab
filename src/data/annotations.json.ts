// A snapshot of the annotation log for the published site, which shows labels read-only: the rubric, the current
// labels, the failure-mode list and the queues. Reads the log file, not the store, so it never waits on a lock.
import {readLabels} from "../../loaders/annotations/snapshot.js";
import {readQueues, readRubric} from "../../loaders/annotations/files.js";
import {workspaceDir} from "../../loaders/store/read.js";
import {failureModeChoices} from "../core/schemas/rubric.js";

const workspace = workspaceDir();
const {annotations, problems} = readLabels(workspace);
for (const problem of problems) process.stderr.write(`${problem.file}:${problem.line}: ${problem.reason}\n`);
const rubric = readRubric(workspace);
process.stdout.write(JSON.stringify({
  // Set by `plumbline start` for the page server it runs: only then is there an API to write through.
  api: process.env.PLUMBLINE_API === "1",
  rubric,
  failureModes: failureModeChoices(rubric, annotations.map((a) => a.failureMode)),
  annotations,
  queues: readQueues(workspace).queues
}));
