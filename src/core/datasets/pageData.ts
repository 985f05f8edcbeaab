/** @module What the datasets page reads: every dataset version with its cases, and the completed reviews that led nowhere. */
import type {CaseKind} from "../schemas/dataset.js";
import type {ReviewOutcomeKind} from "./outcomeKinds.js";

export interface CaseView {
  caseId: string;
  kind: CaseKind;
  failureMode: string | null;
  criterion: string | null;
  input: string | null;
  expectedOutput: string | null;
  expectedBehaviour: string | null;
  sourceTraceId: string | null;
  addedBy: string;
  reason: string;
  addedAt: string;
  status: string;
  messages: {role: string; name: string | null; content: string | null}[];
  toolCalls: {name: string; arguments: string | null; result: string | null; success: boolean | null}[];
}

export interface VersionView {
  version: number;
  createdAt: string;
  createdBy: string;
  source: string;
  note: string | null;
  added: number;
  removed: number;
  /** Keys into `DatasetsPageData.cases`: a case kept from one version to the next is sent once. */
  cases: string[];
}

export interface DatasetView {
  name: string;
  versions: VersionView[];
}

export interface NowhereReview {
  queueId: string;
  queueName: string;
  traceId: string;
  criterion: string;
  annotators: string[];
  /** The `none` outcomes recorded, if any. */
  outcomes: {outcome: ReviewOutcomeKind; note: string | null; by: string; at: string}[];
}

export interface DatasetsPageData {
  datasets: DatasetView[];
  cases: Record<string, CaseView>;
  reviews: {
    completed: number;
    ledNowhere: number;
    byOutcome: Record<ReviewOutcomeKind, number>;
    nowhere: NowhereReview[];
  };
  problems: string[];
}

/** The key a case is sent under: the same case id added at another time is another case. */
export const caseKey = (datasetName: string, caseId: string, addedAt: string) =>
  `${datasetName}\u0000${caseId}\u0000${addedAt}`;
