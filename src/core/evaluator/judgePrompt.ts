/**
 * @module A judge's prompt from its spec and one trace: the trace as text (cut in the middle when it is too long,
 * saying so), the placeholders filled in one pass so that trace text that happens to contain `{{criterion}}` is
 * never expanded, and few-shot examples shown as the JSON answers the judge must give.
 */
import type {JudgeSpec} from "../schemas/evaluator.js";
import type {Expected} from "./reference.js";

export interface TraceForJudge {
  messages: readonly {role: string; name?: string | null; content: string | null}[];
  toolCalls: readonly {name: string; arguments: string | null; result: string | null; success: boolean | null}[];
  /** What the trace's dataset case expects, for `{{expected}}`. */
  expected?: Expected | null;
}

export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

/** The conversation as plain text, one block per message, then the tool calls with their results. */
export function traceText(trace: TraceForJudge): string {
  const parts = trace.messages.map((m) => `[${m.role}${m.name ? ` ${m.name}` : ""}]\n${m.content ?? ""}`);
  if (trace.toolCalls.length) {
    parts.push(
      "[tool calls]\n" +
        trace.toolCalls
          .map(
            (t) =>
              `${t.name}(${t.arguments ?? ""}) → ${t.success === false ? "FAILED " : ""}${t.result ?? "(no result)"}`
          )
          .join("\n")
    );
  }
  return parts.join("\n\n");
}

/** Keeps the start and the end, where a conversation's request and outcome are, and marks the cut. */
export function cutMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(0, max - 60);
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}\n\n[… ${text.length - keep} characters left out …]\n\n${text.slice(text.length - (keep - head))}`;
}

function firstOf(trace: TraceForJudge, role: string): string {
  return trace.messages.find((m) => m.role === role)?.content ?? "";
}

function lastOf(trace: TraceForJudge, role: string): string {
  for (let i = trace.messages.length - 1; i >= 0; i--)
    if (trace.messages[i]!.role === role) return trace.messages[i]!.content ?? "";
  return "";
}

export function renderJudgePrompt(
  judge: JudgeSpec,
  trace: TraceForJudge,
  about: {criterion: string; failureMode: string}
): ChatMessage[] {
  const values: Record<string, string> = {
    trace: cutMiddle(traceText(trace), judge.maxTraceChars),
    input: cutMiddle(firstOf(trace, "user"), judge.maxTraceChars),
    output: cutMiddle(lastOf(trace, "assistant"), judge.maxTraceChars),
    references: judge.references.map((r) => `## ${r.name}\n${r.text}`).join("\n\n"),
    criterion: about.criterion,
    failure_mode: about.failureMode,
    expected: cutMiddle(
      trace.expected?.output ?? trace.expected?.behaviour ?? "(no expected output is recorded for this case)",
      judge.maxTraceChars
    ),
    examples: judge.examples
      .map(
        (e, i) =>
          `Example ${i + 1}:\n${e.trace}\nAnswer: ${JSON.stringify({reasoning: e.reasoning, verdict: e.verdict})}`
      )
      .join("\n\n")
  };
  const user = judge.prompt.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => values[name] ?? "");
  const examplesInline = /\{\{\s*examples\s*\}\}/.test(judge.prompt);
  const instructions =
    'Answer with one JSON object: {"reasoning": "<why, briefly>", "verdict": "pass" | "fail"}. ' +
    `"fail" means the trace shows the failure "${about.failureMode}".`;
  const system = [
    judge.system,
    instructions,
    !examplesInline && values.examples ? `Examples:\n\n${values.examples}` : ""
  ]
    .filter(Boolean)
    .join("\n\n");
  return [
    {role: "system", content: system},
    {role: "user", content: user}
  ];
}
