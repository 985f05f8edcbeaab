/**
 * @module A prompt spec as a task: its messages filled from the case and sent through the `openai` client to an
 * OpenAI-compatible endpoint (the base URL and key as the judge takes them; the key is never recorded or printed).
 * The answer's content is the output and its tool calls are the trace's; usage gives tokens, the prices give cost.
 */
import OpenAI from "openai";
import {renderPromptMessages} from "../../src/core/experiments/caseTrace.js";
import type {PromptSpec, TaskInput} from "../../src/core/schemas/experimentTask.js";
import {callFailure} from "../judge/chatClient.js";
import {httpFetch} from "../judge/httpFetch.js";
import {costOf, type Price} from "../judge/runner.js";
import type {CaseLink, Task} from "./task.js";

export function promptTask(options: {
  spec: PromptSpec;
  /** A hash of the spec file's content: what the cache and comparisons know the prompt by. */
  specHash: string;
  path: string;
  baseURL: string;
  apiKey: string;
  model?: string;
  price: Price | null;
  timeoutMs: number;
  gitCommit: string | null;
}): Task {
  const {spec} = options;
  const model = options.model ?? spec.model;
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    maxRetries: 0,
    timeout: options.timeoutMs,
    fetch: httpFetch()
  });
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join("[key]") : text);
  return {
    description: {
      kind: "prompt",
      target: options.path,
      version: `${options.specHash}:${model}`,
      promptId: spec.id,
      promptVersion: spec.version,
      model,
      gitCommit: options.gitCommit
    },
    async attempt(input: TaskInput, _link: CaseLink, signal: AbortSignal) {
      try {
        const completion = await client.chat.completions.create(
          {
            model,
            temperature: spec.temperature,
            max_tokens: spec.maxTokens,
            messages: renderPromptMessages(spec, input) as OpenAI.ChatCompletionMessageParam[],
            ...(spec.tools.length ? {tools: spec.tools as unknown as OpenAI.ChatCompletionTool[]} : {})
          },
          {signal}
        );
        const message = completion.choices[0]?.message;
        const inputTokens = completion.usage?.prompt_tokens ?? null;
        const outputTokens = completion.usage?.completion_tokens ?? null;
        const toolCalls = (message?.tool_calls ?? []).flatMap((c) =>
          c.type === "function" ? [{name: c.function.name, arguments: c.function.arguments}] : []
        );
        if (!message || (message.content == null && toolCalls.length === 0))
          return {end: {ok: false, error: "the model answered no content and no tool call"}};
        return {
          end: {
            ok: true,
            answer: {output: message.content ?? "", tool_calls: toolCalls, model: completion.model || model},
            usage: {inputTokens, outputTokens, costUsd: costOf(options.price, inputTokens, outputTokens)}
          }
        };
      } catch (error) {
        const failed = callFailure(error, signal, options.timeoutMs, redact);
        if ("retry" in failed) return failed;
        // The runner tells Ctrl-C from the attempt's timeout by its own signals.
        if (failed.end === "interrupted") return {retry: "aborted"};
        return {end: {ok: false, error: failed.end}};
      }
    }
  };
}
