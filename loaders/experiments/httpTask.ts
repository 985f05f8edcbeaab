/**
 * @module An HTTP endpoint as a task: the case's JSON POSTed (protocol `plumbline.task/1`), the answer's JSON as
 * the response body. The request carries the case's `traceparent`, so an instrumented service's spans join the
 * case's trace. 408, 409, 429 and 5xx answers and connection failures are retried (honouring Retry-After); other
 * statuses and bodies that are not the protocol's answer are the case's error.
 */
import {sha256Hex} from "../formats/hash.js";
import {httpFetch} from "../judge/httpFetch.js";
import {retryAfterMs} from "../judge/chatClient.js";
import type {TaskInput} from "../../src/core/schemas/experimentTask.js";
import {noUsage, readAnswer, traceparentOf, type CaseLink, type Task} from "./task.js";

/** The URL as recorded: no credentials, no query (either may hold a secret). */
export function publicUrl(url: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  u.search = "";
  u.hash = "";
  return u.toString();
}

export function httpTask(options: {url: string; headers?: Record<string, string>; gitCommit: string | null}): Task {
  const send = httpFetch();
  return {
    description: {
      kind: "http",
      target: publicUrl(options.url),
      version: sha256Hex(`http\u0000${options.url}`).slice(0, 16),
      promptId: null,
      promptVersion: null,
      model: null,
      gitCommit: options.gitCommit
    },
    async attempt(input: TaskInput, link: CaseLink, signal: AbortSignal) {
      let response: Response;
      try {
        response = await send(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            traceparent: traceparentOf(link),
            ...options.headers
          },
          body: JSON.stringify(input),
          signal
        });
      } catch (error) {
        if (signal.aborted) return {retry: "aborted"};
        return {retry: `connection failed: ${error instanceof Error ? error.message : String(error)}`};
      }
      const body = await response.text();
      const status = response.status;
      if (status === 408 || status === 409 || status === 429 || status >= 500)
        return {retry: `HTTP ${status}`, waitMs: retryAfterMs(response.headers)};
      if (status < 200 || status >= 300) return {end: {ok: false, error: `HTTP ${status}: ${body.slice(0, 200)}`}};
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return {end: {ok: false, error: `the endpoint's answer is not JSON: ${JSON.stringify(body.slice(0, 120))}`}};
      }
      return {end: readAnswer(value, noUsage)};
    }
  };
}
