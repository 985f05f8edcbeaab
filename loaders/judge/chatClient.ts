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
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const format = options.responseFormat ?? "json_schema";
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join("[key]") : text);

  return {
    async call(request, shape, signal) {
      const usage: Usage = {inputTokens: null, outputTokens: null};
      let lastError = "no attempt made";
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (signal?.aborted) return {ok: false, error: "interrupted", usage, attempts: attempt - 1};
        let wait: number | null = null;
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
          if ("error" in parsed) return {ok: false, error: parsed.error, usage, attempts: attempt};
          return {ok: true, value: parsed.value, usage, attempts: attempt, model: completion.model || request.model};
        } catch (error) {
          if (error instanceof OpenAI.APIUserAbortError || signal?.aborted)
            return {ok: false, error: "interrupted", usage, attempts: attempt};
          if (error instanceof OpenAI.APIConnectionTimeoutError) {
            lastError = `timed out after ${options.timeoutMs ?? 60_000} ms`;
          } else if (error instanceof OpenAI.APIConnectionError) {
            lastError = `connection failed: ${redact(error.message)}`;
          } else if (error instanceof OpenAI.APIError) {
            const status = error.status ?? 0;
            lastError = `HTTP ${status}: ${redact(error.message)}`;
            if (!(RETRYABLE.has(status) || status >= 500))
              return {ok: false, error: lastError, usage, attempts: attempt};
            wait = retryAfterMs(error.headers);
          } else {
            return {
              ok: false,
              error: redact(error instanceof Error ? error.message : String(error)),
              usage,
              attempts: attempt
            };
          }
        }
        if (attempt === maxAttempts) break;
        // Full jitter keeps many concurrent workers from retrying in lockstep after a shared 429.
        const backoff = Math.min(cap, base * 2 ** (attempt - 1)) * random();
        await sleep(wait === null ? backoff : Math.min(Math.max(wait, 0), cap * 4));
      }
      return {ok: false, error: `${lastError} (gave up after ${maxAttempts} attempts)`, usage, attempts: maxAttempts};
    }
  };
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
