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

/** What the `data/annotations.json` loader writes: the state, and whether the page is served with an API. */
export interface AnnotationSnapshot extends AnnotationState {
  api: boolean;
}

export interface AnnotationClient {
  readOnly: boolean;
  state: AnnotationState;
  create(input: Record<string, unknown>): Promise<Annotation>;
  edit(id: string, patch: Record<string, unknown>, by: string): Promise<Annotation>;
  remove(id: string, by: string): Promise<void>;
  /** Settles a criterion on a trace (the criterion's owner only, when it has one). */
  adjudicate(
    input: {
      traceId: string;
      criterion: string;
      pass: boolean;
      failureMode?: string | null;
      explanation?: string | null;
    },
    adjudicator: string
  ): Promise<Annotation>;
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
    const message = await response.json().then(
      (j: {error?: string}) => j.error,
      () => null
    );
    throw new Error(message ?? `the annotation server answered ${response.status}`);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export async function connectAnnotations(snapshot: AnnotationSnapshot): Promise<AnnotationClient> {
  // The published site has no API; asking anyway would log a 404 in every reader's console.
  const live = snapshot.api ? await call<AnnotationState>("GET", "state") : null;
  if (!live) {
    const refuse = () => Promise.reject(new Error("this published site is read-only; annotate with `plumbline start`"));
    return {
      readOnly: true,
      state: snapshot,
      create: refuse,
      edit: refuse,
      remove: refuse,
      adjudicate: refuse,
      refresh: async () => {}
    };
  }
  const client: AnnotationClient = {
    readOnly: false,
    state: live,
    create: (input) => call<Annotation>("POST", "annotations", input),
    edit: (id, patch, by) => call<Annotation>("PATCH", `annotations/${encodeURIComponent(id)}`, {...patch, by}),
    remove: (id, by) => call<void>("DELETE", `annotations/${encodeURIComponent(id)}?by=${encodeURIComponent(by)}`),
    adjudicate: (input, adjudicator) => call<Annotation>("POST", "adjudications", {...input, adjudicator}),
    async refresh() {
      client.state = await call<AnnotationState>("GET", "state");
    }
  };
  return client;
}
