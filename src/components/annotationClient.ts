/**
 * @module The page's link to the annotation API. On `plumbline start` the API answers under `/api/` and every
 * label goes through it; on the published static site there is no API, and the page shows the snapshot the
 * `data/annotations.json` loader took when the site was built, read-only.
 */
import type {Annotation} from "../core/schemas/annotation.js";
import type {Queue} from "../core/schemas/queue.js";
import type {Rubric} from "../core/schemas/rubric.js";

export interface AnnotationState {
  rubric: Rubric;
  failureModes: {name: string; isNew: boolean}[];
  annotations: Annotation[];
  queues: Queue[];
}

export interface AnnotationClient {
  readOnly: boolean;
  state: AnnotationState;
  create(input: Record<string, unknown>): Promise<Annotation>;
  edit(id: string, patch: Record<string, unknown>, by: string): Promise<Annotation>;
  remove(id: string, by: string): Promise<void>;
  /** Re-reads labels and failure modes from the server (after another annotator's writes). */
  refresh(): Promise<void>;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/${path}`, {
    method,
    headers: body === undefined ? {} : {"content-type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin"
  });
  if (!response.ok) {
    const message = await response.json().then((j: {error?: string}) => j.error, () => null);
    throw new Error(message ?? `the annotation server answered ${response.status}`);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export async function connectAnnotations(snapshot: AnnotationState): Promise<AnnotationClient> {
  let live: AnnotationState | null = null;
  try {
    const response = await fetch("/api/state", {credentials: "same-origin"});
    if (response.ok && response.headers.get("content-type")?.includes("json")) live = (await response.json()) as AnnotationState;
  } catch {
    // No API: the static site.
  }
  if (!live) {
    const refuse = () => Promise.reject(new Error("this published site is read-only; annotate with `plumbline start`"));
    return {readOnly: true, state: snapshot, create: refuse, edit: refuse, remove: refuse, refresh: async () => {}};
  }
  const client: AnnotationClient = {
    readOnly: false,
    state: live,
    create: (input) => call<Annotation>("POST", "annotations", input),
    edit: (id, patch, by) => call<Annotation>("PATCH", `annotations/${encodeURIComponent(id)}`, {...patch, by}),
    remove: (id, by) => call<void>("DELETE", `annotations/${encodeURIComponent(id)}?by=${encodeURIComponent(by)}`),
    async refresh() {
      client.state = await call<AnnotationState>("GET", "state");
    }
  };
  return client;
}
