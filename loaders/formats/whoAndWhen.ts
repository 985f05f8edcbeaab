/**
 * @module Who&When failure-attribution runs: one JSON object per file, `{history, question, ground_truth,
 * question_ID, mistake_agent, mistake_step, mistake_reason, level?, is_corrected | is_correct, system_prompt?}`.
 *
 * - Trace id: `ww-hand-<file stem>` (Hand-Crafted) or `ww-algo-<file stem>` (Algorithm-Generated). The subset
 *   comes from the folder name, or from the record's shape (`is_corrected` vs `is_correct`) when the file was
 *   moved; 45 question ids occur in both subsets, so the question id alone would merge different runs.
 * - Messages follow `history` (index = history position, which is what `mistake_step` counts). Hand-crafted roles
 *   name the speaker ("Orchestrator (-> WebSurfer)"): `human` becomes role "user", every agent role "assistant",
 *   and `name` is the text before " (". Algorithm-generated entries keep AutoGen's role and take `name` as given.
 * - Feedback: `mistake_agent` (label = agent, comment = reason, source "human"), `mistake_step` (value = the step,
 *   source "human"), and `outcome` from `is_correct` / `is_corrected` (label "fail", value 0 in all 184 runs;
 *   source "dataset").
 * - No tool results, times or tokens are recorded, so the status is "unset" and the numbers stay null.
 */
import {emptyFragment, traceInfo, type Fragment} from "../../src/core/schemas/trace.js";
import {NONE, type ChatMessage} from "./chatContent.js";
import {readTranscript} from "./chatJsonl.js";
import {RecordError, type FormatReader, type RecordContext} from "./reader.js";
import {RowBuilder} from "./rows.js";
import {isRecord, num, str, type JsonRecord} from "./values.js";

export type WhoAndWhenSubset = "hand-crafted" | "algorithm-generated";

export function subsetOf(file: string, record: JsonRecord): WhoAndWhenSubset {
  if (/hand-crafted/i.test(file)) return "hand-crafted";
  if (/algorithm-generated/i.test(file)) return "algorithm-generated";
  return "is_corrected" in record ? "hand-crafted" : "algorithm-generated";
}

/** The speaker of a hand-crafted role: "Orchestrator (-> WebSurfer)" → "Orchestrator". */
export function agentOfRole(role: string): string {
  const cut = role.indexOf(" (");
  return cut === -1 ? role : role.slice(0, cut);
}

function historyMessages(history: readonly unknown[], subset: WhoAndWhenSubset): ChatMessage[] {
  return history.map((entry, i) => {
    if (!isRecord(entry)) throw new RecordError(`history[${i}] is not an object`);
    const role = str(entry.role);
    if (role === null) throw new RecordError(`history[${i}] has no role`);
    const content =
      typeof entry.content === "string" ? entry.content : entry.content == null ? null : JSON.stringify(entry.content);
    if (subset === "algorithm-generated") {
      return {role, name: str(entry.name), content, toolCallId: null, toolCalls: NONE};
    }
    const human = role === "human";
    return {
      role: human ? "user" : "assistant",
      name: human ? null : agentOfRole(role),
      content,
      toolCallId: null,
      toolCalls: NONE
    };
  });
}

function isRun(value: unknown): value is JsonRecord {
  return isRecord(value) && Array.isArray(value.history) && "question_ID" in value && "mistake_agent" in value;
}

export const whoAndWhenReader: FormatReader = {
  format: "who-and-when",
  description:
    "Who&When multi-agent failure runs: one {history, question, mistake_agent, mistake_step, …} object per file",
  splitArrays: false,
  detect: isRun,
  read(value: unknown, context: RecordContext): Fragment {
    if (!isRun(value)) throw new RecordError("a Who&When run needs history, question_ID and mistake_agent");
    const subset = subsetOf(context.file, value);
    const stem = (context.file.split(/[\\/]/).pop() ?? context.file).replace(/\.gz$/i, "").replace(/\.json$/i, "");
    const traceId = `ww-${subset === "hand-crafted" ? "hand" : "algo"}-${stem}`;
    const messages = historyMessages(value.history as unknown[], subset);
    const builder = new RowBuilder(emptyFragment());
    const rootName = subset === "hand-crafted" ? "Magentic-One team" : "CaptainAgent team";
    readTranscript(builder, traceId, messages, {rootName, cleanStatus: "unset"});
    const fragment = builder.fragment;
    const question = str(value.question);
    const metadata: JsonRecord = {
      subset,
      question_id: value.question_ID ?? null,
      question,
      ground_truth: value.ground_truth ?? null,
      level: value.level ?? null,
      is_correct: value.is_correct ?? value.is_corrected ?? null
    };
    for (const key of ["mistake_type", "labels", "system_prompt"]) if (key in value) metadata[key] = value[key];
    fragment.traces.push(
      traceInfo(traceId, {
        name: question && question.length > 120 ? question.slice(0, 119) + "…" : question,
        tags: ["who-and-when", subset],
        metadata
      })
    );
    const agent = str(value.mistake_agent);
    const reason = str(value.mistake_reason);
    const base = {traceId, spanId: null, value: null, label: null, comment: null};
    if (agent !== null)
      fragment.feedback.push({...base, name: "mistake_agent", label: agent, comment: reason, source: "human"});
    const step = num(value.mistake_step);
    if (step !== null)
      fragment.feedback.push({...base, name: "mistake_step", value: step, comment: reason, source: "human"});
    const solved = value.is_correct ?? value.is_corrected;
    if (typeof solved === "boolean") {
      fragment.feedback.push({
        ...base,
        name: "outcome",
        value: solved ? 1 : 0,
        label: solved ? "pass" : "fail",
        source: "dataset"
      });
    }
    return fragment;
  }
};
