/**
 * @module The reflection step of judge-prompt evolution: the reflection model is shown the judge's current prompt
 * and its verdicts on a few traces next to the annotators' verdicts and explanations, and asked for a whole new
 * prompt template as JSON `{prompt, rationale}`. The call goes through the same chat client as the judge (same
 * endpoint, key and retry policy); a call that fails and an answer that is not a proposal are told apart, since
 * the first is an outage and the second a rejected proposal.
 */
import type {LabelledExample} from "../../src/core/generate/examples.js";
import type {ExampleFeedback, Proposal} from "../../src/core/generate/promptEvolution.js";
import {cutMiddle, traceText, type ChatMessage} from "../../src/core/evaluator/judgePrompt.js";
import {PLACEHOLDERS} from "../../src/core/schemas/evaluator.js";
import {
  PROMPT_PROPOSAL_JSON_SCHEMA,
  PromptProposalSchema,
  type PromptProposal
} from "../../src/core/schemas/promptProposal.js";
import {createChatClient, parseJsonAnswer, type AnswerShape, type ChatClientOptions} from "../judge/chatClient.js";

export interface ReflectionInput {
  /** The judge's current prompt template. */
  prompt: string;
  failureMode: string;
  criterion: string;
  feedback: readonly ExampleFeedback<LabelledExample>[];
}

export interface Reflector {
  propose(input: ReflectionInput, signal?: AbortSignal): Promise<Proposal>;
}

export interface ReflectorOptions extends ChatClientOptions {
  model: string;
  /** Some variety helps a proposal differ from the prompt it replaces (default 0.7). */
  temperature?: number;
  maxTokens?: number;
  /** Longest trace text shown per example (default 4,000 characters, cut in the middle). */
  maxTraceChars?: number;
}

const SYSTEM =
  "You improve the prompts of an LLM judge so that its verdicts agree with expert annotators. " +
  "Answer only with the JSON object you are asked for.";

/** The reflection request: the prompt, the placeholder rules, and each trace with both verdicts, mistakes first. */
export function reflectionMessages(input: ReflectionInput, maxTraceChars = 4_000): ChatMessage[] {
  const ordered = [...input.feedback].sort((a, b) => Number(a.correct) - Number(b.correct));
  const wrong = ordered.filter((f) => !f.correct).length;
  const blocks = ordered.map((f, i) => {
    const human = f.example.outcome;
    return [
      `## Trace ${i + 1}: ${f.correct ? `RIGHT (judge and annotators both said ${human})` : `WRONG (judge said ${f.verdict}, annotators said ${human})`}`,
      `Annotators' explanation: ${f.example.explanation?.trim() || "(none given)"}`,
      `Judge's reasoning: ${f.reasoning.trim() || "(none given)"}`,
      "Trace:",
      "<<<TRACE",
      cutMiddle(traceText(f.example.trace), maxTraceChars),
      "TRACE>>>"
    ].join("\n");
  });
  const placeholders = PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ");
  const user = [
    `An LLM judge decides whether a trace of an AI application shows the failure "${input.failureMode}" (rubric criterion: ${input.criterion}). ` +
      'Its verdict "fail" means the trace shows the failure, "pass" that it does not. The judge is given this prompt template:',
    `<<<PROMPT\n${input.prompt}\nPROMPT>>>`,
    `Placeholders are filled in before the judge reads the prompt: {{trace}} is the whole conversation with its tool calls, {{input}} the first user ` +
      `message, {{output}} the last assistant message, {{criterion}} and {{failure_mode}} the names above, {{references}} and {{examples}} the ` +
      `judge's reference texts and worked examples. The only placeholders allowed are ${placeholders}, and the prompt must keep {{trace}}, ` +
      "{{input}} or {{output}} so that the judge sees the trace.",
    `Here is how the judge did on ${ordered.length} trace${ordered.length === 1 ? "" : "s"}, next to the annotators' verdicts and explanations; ` +
      `${wrong} verdict${wrong === 1 ? " is" : "s are"} wrong.`,
    ...blocks,
    "Write a new prompt template that makes the judge agree with the annotators on these traces and on others like them. " +
      "Work out from the annotators' explanations what they count as this failure and what they do not, and state it in the prompt as " +
      "general rules, not as facts about these particular traces. Keep what the current prompt already gets right.",
    'Answer with one JSON object: {"prompt": "<the complete new template>", "rationale": "<what was wrong and what you changed>"}.'
  ].join("\n\n");
  return [
    {role: "system", content: SYSTEM},
    {role: "user", content: user}
  ];
}

export function parseProposal(content: string | null | undefined): {value: PromptProposal} | {error: string} {
  return parseJsonAnswer(content, PromptProposalSchema, {who: "reflection model", what: "proposal"});
}

export function createReflector(options: ReflectorOptions): Reflector {
  const chat = createChatClient(options);
  return {
    async propose(input, signal) {
      // The chat client reports a failed call and an unreadable answer alike; the parser notes which it was.
      let unreadable: string | null = null;
      const shape: AnswerShape<PromptProposal> = {
        name: "prompt_proposal",
        jsonSchema: PROMPT_PROPOSAL_JSON_SCHEMA,
        parse(content) {
          const parsed = parseProposal(content);
          if ("error" in parsed) unreadable = parsed.error;
          return parsed;
        }
      };
      const result = await chat.call(
        {
          model: options.model,
          temperature: options.temperature ?? 0.7,
          maxTokens: options.maxTokens ?? 4_096,
          messages: reflectionMessages(input, options.maxTraceChars)
        },
        shape,
        signal
      );
      if (result.ok) return {ok: true, prompt: result.value.prompt, rationale: result.value.rationale};
      return {ok: false, error: result.error, answered: unreadable !== null};
    }
  };
}
