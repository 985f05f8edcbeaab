/**
 * @module One judge call: a chat call (`chatClient.ts`, with its retry policy) whose answer must be a verdict
 * object. A call that fails, or an answer that is not a valid verdict, is returned as an error, never as a verdict.
 */
import {JUDGE_VERDICT_JSON_SCHEMA, JudgeVerdictSchema, type JudgeVerdict} from "../../src/core/schemas/evaluator.js";
import {
  createChatClient,
  parseJsonAnswer,
  type AnswerShape,
  type ChatClientOptions,
  type ChatRequest,
  type Usage
} from "./chatClient.js";

export {retryAfterMs, type ResponseFormat, type Usage} from "./chatClient.js";

export type JudgeClientOptions = ChatClientOptions;
export type JudgeRequest = ChatRequest;

export type JudgeCallResult =
  | {ok: true; verdict: JudgeVerdict; usage: Usage; attempts: number; model: string}
  | {ok: false; error: string; usage: Usage; attempts: number};

export interface JudgeClient {
  call(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeCallResult>;
}

const VERDICT: AnswerShape<JudgeVerdict> = {
  name: "verdict",
  jsonSchema: JUDGE_VERDICT_JSON_SCHEMA,
  parse: (content) => parseJsonAnswer(content, JudgeVerdictSchema, {who: "judge", what: "verdict"})
};

export function createJudgeClient(options: JudgeClientOptions): JudgeClient {
  const chat = createChatClient(options);
  return {
    async call(request, signal) {
      const result = await chat.call(request, VERDICT, signal);
      if (!result.ok) return result;
      const {value, ...rest} = result;
      return {...rest, verdict: value};
    }
  };
}

/**
 * The verdict object from the answer's content: JSON (alone, or as the only thing inside one code fence),
 * validated by the schema. Anything else is an error; the text is never searched for "pass" or "fail".
 */
export function parseVerdict(content: string | null | undefined): {verdict: JudgeVerdict} | {error: string} {
  const parsed = parseJsonAnswer(content, JudgeVerdictSchema, {who: "judge", what: "verdict"});
  return "error" in parsed ? parsed : {verdict: parsed.value};
}
