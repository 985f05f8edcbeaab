/**
 * @module The explorer's filter as URL parameters, so that a filtered list can be bookmarked, shared and linked to
 * from other pages (`./traces#status=error&tool_errors=1`). Only what differs from no filter is written, and
 * anything unreadable in a hand-edited URL is ignored rather than failing the page.
 */
import {NO_FILTER, type TraceFilter} from "./filter.js";

const CHOICES = {model: "model", promptVersion: "prompt", status: "status", format: "format"} as const;
const FEEDBACK = new Set<TraceFilter["feedback"]>(["any", "with", "without"]);

/** What is read from URL parameters; `URLSearchParams` is one (the core is typed without the DOM). */
export interface ParamReader {
  get(name: string): string | null;
}

/**
 * The parameters that describe `filter`, as pairs for `new URLSearchParams(pairs)`; other parameters (the
 * selected trace) are the caller's.
 */
export function filterToParams(filter: TraceFilter): [string, string][] {
  const pairs: [string, string][] = [];
  const params = {set: (name: string, value: string) => void pairs.push([name, value])};
  if (filter.text.trim()) params.set("q", filter.text);
  for (const [key, name] of Object.entries(CHOICES) as [keyof typeof CHOICES, string][]) {
    const value = filter[key];
    if (value !== null) params.set(name, value);
  }
  if (filter.feedback !== "any") params.set("feedback", filter.feedback);
  if (filter.toolErrors) params.set("tool_errors", "1");
  if (filter.from !== null) params.set("from", new Date(filter.from).toISOString());
  if (filter.to !== null) params.set("to", new Date(filter.to).toISOString());
  return pairs;
}

function time(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export function filterFromParams(params: ParamReader): TraceFilter {
  const feedback = params.get("feedback") as TraceFilter["feedback"] | null;
  return {
    ...NO_FILTER,
    text: params.get("q") ?? "",
    model: params.get(CHOICES.model),
    promptVersion: params.get(CHOICES.promptVersion),
    status: params.get(CHOICES.status),
    format: params.get(CHOICES.format),
    feedback: feedback !== null && FEEDBACK.has(feedback) ? feedback : "any",
    toolErrors: params.get("tool_errors") === "1",
    from: time(params.get("from")),
    to: time(params.get("to"))
  };
}
