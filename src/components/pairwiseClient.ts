/**
 * @module The Pairwise review page's link to `/api/pairwise`. On `plumbline start` choices are read and written
 * through it; on the published static site there is no API, and the page shows the choices its build read, read-only.
 */
import type {BlindChoice} from "../core/pairwise/blind.js";
import type {PairwiseChoice} from "../core/pairwise/review.js";
import type {Order} from "../core/pairwise/prompt.js";

export interface NewChoice {
  experiments: [string, string];
  caseId: string;
  reviewer: string;
  order: Order;
  choice: BlindChoice;
  explanation: string | null;
}

export interface PairwiseClient {
  readOnly: boolean;
  /** Every choice in log order (the last per pair and reviewer counts). */
  choices: PairwiseChoice[];
  choose(choice: NewChoice): Promise<PairwiseChoice>;
}

async function call<T>(method: string, body?: unknown): Promise<T> {
  const response = await fetch("/api/pairwise", {
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
    throw new Error(message ?? `the server answered ${response.status}`);
  }
  return (await response.json()) as T;
}

export async function connectPairwise(snapshot: {api: boolean; choices: PairwiseChoice[]}): Promise<PairwiseClient> {
  // The published site has no API; asking anyway would log a 404 in every reader's console.
  if (!snapshot.api)
    return {
      readOnly: true,
      choices: snapshot.choices,
      choose: () => Promise.reject(new Error("this published site is read-only; review with `plumbline start`"))
    };
  const {choices} = await call<{choices: PairwiseChoice[]}>("GET");
  const client: PairwiseClient = {
    readOnly: false,
    choices,
    async choose(choice) {
      const saved = await call<PairwiseChoice>("POST", choice);
      client.choices.push(saved);
      return saved;
    }
  };
  return client;
}
