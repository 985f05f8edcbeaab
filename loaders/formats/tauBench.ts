/**
 * @module τ-bench trajectories (`historical_trajectories/<model>-<domain>.json`): a top-level array of runs
 * `{task_id, trial, reward, info, traj}`, split into one record per run.
 *
 * - Trace id: `tau-<file stem>-<task_id>-<trial>` (e.g. `tau-gpt-4o-airline-0-0`), so runs of different models or
 *   domains never collide.
 * - `traj` is an OpenAI chat transcript, read by the shared transcript conversion (`readTranscript`): tool results
 *   starting with "Error: " are failed calls, and the trace status is "error" when any call failed, else "ok".
 *   Status reports what went wrong while running; whether the task was solved is the `reward` feedback.
 * - Feedback `reward` (value 1 or 0, label "pass" / "fail", source "dataset").
 * - The records name no model, but τ-bench names each trajectory file after the model that ran it
 *   (`historical_trajectories/<model>-<domain>.json`): the trace's `model` is that name (`gpt-4o`), and
 *   `metadata.model_source` says it came from the file name. Spans keep `model` null, since no record names it.
 *   No times, tokens or costs exist, so they stay null.
 * - Metadata: task_id, trial, source (what ended the run), user_cost, reward_info, the simulated user's
 *   instruction and the task's gold actions; `userId` is the simulated customer's id.
 */
import {emptyFragment, traceInfo, type Fragment} from "../../src/core/schemas/trace.js";
import {readMessageList, readTranscript} from "./chatJsonl.js";
import {RecordError, type FormatReader, type RecordContext} from "./reader.js";
import {RowBuilder} from "./rows.js";
import {isRecord, num, str} from "./values.js";

/** `gpt-4o-airline.json` → stem `gpt-4o-airline`, model hint `gpt-4o`, domain `airline`. */
export function tauFileParts(file: string): {stem: string; modelHint: string | null; domain: string | null} {
  const base = file.split(/[\\/]/).pop() ?? file;
  // A gzip copy of a file names the same runs: its ids must not depend on the compression.
  const stem = base.replace(/\.gz$/i, "").replace(/\.jsonl?$/i, "");
  const m = /^(.+)-(airline|retail)$/.exec(stem);
  return {stem, modelHint: m ? m[1]! : null, domain: m ? m[2]! : null};
}

function isRun(value: unknown): boolean {
  return isRecord(value) && "task_id" in value && "trial" in value && Array.isArray(value.traj) && "reward" in value;
}

export const tauBenchReader: FormatReader = {
  format: "tau-bench",
  description: "τ-bench trajectories: a JSON array of {task_id, trial, reward, info, traj} runs",
  splitArrays: true,
  detect(value) {
    return isRun(value) || (Array.isArray(value) && value.length > 0 && isRun(value[0]));
  },
  read(value: unknown, context: RecordContext): Fragment {
    if (!isRecord(value)) throw new RecordError("a τ-bench run must be an object");
    const taskId = num(value.task_id);
    const trial = num(value.trial);
    if (taskId === null || trial === null) throw new RecordError("a τ-bench run needs numeric task_id and trial");
    const reward = num(value.reward);
    if (reward === null) throw new RecordError(`run ${taskId}/${trial}: reward is not a number`);
    const {stem, modelHint, domain} = tauFileParts(context.file);
    const traceId = `tau-${stem}-${taskId}-${trial}`;
    const info = isRecord(value.info) ? value.info : {};
    const task = isRecord(info.task) ? info.task : {};
    const messages = readMessageList(value.traj, `run ${taskId}/${trial}: traj`);
    const builder = new RowBuilder(emptyFragment());
    const summary = readTranscript(builder, traceId, messages, {rootName: `tau-bench ${domain ?? stem} agent`});
    const fragment = builder.fragment;
    fragment.traces.push(
      traceInfo(traceId, {
        name: `${domain ?? stem} task ${taskId}`,
        model: modelHint,
        userId: str(task.user_id),
        status: summary.status,
        tags: ["tau-bench", ...(domain ? [domain] : [])],
        metadata: {
          task_id: taskId,
          trial,
          source: info.source ?? null,
          user_cost: info.user_cost ?? null,
          reward_info: info.reward_info ?? null,
          instruction: task.instruction ?? null,
          gold_actions: task.actions ?? null,
          model_source: modelHint === null ? null : "file name"
        }
      })
    );
    fragment.feedback.push({
      traceId,
      spanId: null,
      name: "reward",
      value: reward,
      label: reward >= 1 ? "pass" : "fail",
      comment: null,
      source: "dataset"
    });
    return fragment;
  }
};
