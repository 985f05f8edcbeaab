/**
 * @module One chat call through the `openai` client that must answer a JSON object of a known shape, with this
 * module's own retry policy: the client's retries are off (`maxRetries: 0`) so that what is measured and tested
 * is exactly this policy. The judge (`judgeClient.ts`) and the prompt optimizer's reflection both call through it.
 *
 * Retried: 429, 408, 409 and 5xx answers, timeouts and connection failures, waiting what `Retry-After`
 * (or `retry-after-ms`) asks, else exponential backoff with full jitter. Not retried: other 4xx answers and
 * answers that arrive but do not parse (retrying a model that answered badly mostly buys the same answer again,
 * at a price). A call that fails is returned as an error, never as an answer.
 */
import OpenAI from "openai";
import type {z} from "zod";
import type {ChatMessage} from "../../src/core/evaluator/judgePrompt.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {httpFetch} from "./httpFetch.js";
import {withRetries} from "./retry.js";

export type ResponseFormat = "json_schema" | "json_object" | "none";

export interface ChatClientOptions {
  baseURL: string;
  apiKey: string;
  /** Per attempt. */
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  responseFormat?: ResponseFormat;
  /**
   * The HTTP stack under the client: Node's built-in fetch, or `node-http` (the default), a keep-alive
   * `node:http` transport that costs a fraction of the CPU per call (see httpFetch.ts).
   */
  fetch?: "builtin" | "node-http";
  /** Injected for tests; waits honour it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface ChatRequest {
  model: string;
  temperature: number;
  maxTokens: number;
  messages: ChatMessage[];
}

export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
}

/** What the answer must be: its JSON Schema (sent when the format is `json_schema`) and how to read it. */
export interface AnswerShape<T> {
  name: string;
  jsonSchema: Record<string, unknown>;
  parse(content: string | null | undefined): {value: T} | {error: string};
}

export type ChatCallResult<T> =
  | {ok: true; value: T; usage: Usage; attempts: number; model: string}
  | {ok: false; error: string; usage: Usage; attempts: number};

export interface ChatClient {
  call<T>(request: ChatRequest, shape: AnswerShape<T>, signal?: AbortSignal): Promise<ChatCallResult<T>>;
}

const RETRYABLE = new Set([408, 409, 429]);

export function createChatClient(options: ChatClientOptions): ChatClient {
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60_000,
    ...((options.fetch ?? "node-http") === "node-http" ? {fetch: httpFetch()} : {})
  });
  const format = options.responseFormat ?? "json_schema";
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join("[key]") : text);

  return {
    async call<T>(request: ChatRequest, shape: AnswerShape<T>, signal?: AbortSignal) {
      const usage: Usage = {inputTokens: null, outputTokens: null};
      return withRetries<ChatCallResult<T>>(
        options,
        async (attempt) => {
          try {
            const completion = await client.chat.completions.create(
              {
                model: request.model,
                temperature: request.temperature,
                max_tokens: request.maxTokens,
                messages: request.messages,
                ...(format === "json_schema"
                  ? {
                      response_format: {
                        type: "json_schema",
                        json_schema: {name: shape.name, strict: true, schema: shape.jsonSchema}
                      }
                    }
                  : format === "json_object"
                    ? {response_format: {type: "json_object"}}
                    : {})
              },
              signal ? {signal} : {}
            );
            usage.inputTokens = completion.usage?.prompt_tokens ?? null;
            usage.outputTokens = completion.usage?.completion_tokens ?? null;
            const parsed = shape.parse(completion.choices[0]?.message?.content);
            if ("error" in parsed) return {end: {ok: false, error: parsed.error, usage, attempts: attempt}};
            return {
              end: {ok: true, value: parsed.value, usage, attempts: attempt, model: completion.model || request.model}
            };
          } catch (error) {
            const failed = callFailure(error, signal, options.timeoutMs ?? 60_000, redact);
            if ("retry" in failed) return failed;
            return {end: {ok: false, error: failed.end, usage, attempts: attempt}};
          }
        },
        {
          interrupted: (attempts) => ({ok: false, error: "interrupted", usage, attempts}),
          gaveUp: (lastError, attempts) => ({
            ok: false,
            error: `${lastError} (gave up after ${attempts} attempts)`,
            usage,
            attempts
          })
        },
        signal
      );
    }
  };
}

/**
 * What a failed call through the `openai` client comes to: retried (timeouts, connection failures, 429, 408, 409,
 * 5xx, with the server's Retry-After), or an end with its message ("interrupted" when the signal aborted).
 */
export function callFailure(
  error: unknown,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  redact: (text: string) => string
): {retry: string; waitMs: number | null} | {end: string} {
  if (error instanceof OpenAI.APIUserAbortError || signal?.aborted) return {end: "interrupted"};
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return {retry: `timed out after ${timeoutMs} ms`, waitMs: null};
  if (error instanceof OpenAI.APIConnectionError)
    return {retry: `connection failed: ${redact(error.message)}`, waitMs: null};
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const message = `HTTP ${status}: ${redact(error.message)}`;
    if (!(RETRYABLE.has(status) || status >= 500)) return {end: message};
    return {retry: message, waitMs: retryAfterMs(error.headers)};
  }
  return {end: redact(error instanceof Error ? error.message : String(error))};
}

/** The wait a server asks for: `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers?.get("retry-after");
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The object in an answer's content: JSON (alone, or as the only thing inside one code fence), validated by the
 * schema. Anything else is an error; the text is never searched for something that looks like an answer.
 */
export function parseJsonAnswer<S extends z.ZodType>(
  content: string | null | undefined,
  schema: S,
  names: {who: string; what: string}
): {value: z.infer<S>} | {error: string} {
  if (content == null || content.trim() === "") return {error: `the ${names.who} returned no content`};
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : content);
  } catch {
    return {error: `the answer is not JSON: ${JSON.stringify(content.slice(0, 120))}`};
  }
  const result = schema.safeParse(value);
  if (!result.success)
    return {error: `the answer breaks the ${names.what} schema: ${issueText(result.error, "(answer)")}`};
  return {value: result.data};
}
