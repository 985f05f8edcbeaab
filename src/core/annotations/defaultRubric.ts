/**
 * @module The rubric a new workspace starts with: one pass/fail judgement of the whole trace and free-text notes,
 * with no failure modes yet. It assumes nothing about the product, so it fits any traces; failure modes are added
 * as annotators name them, and `plumbline annotations rubric --set` replaces it with the product's own criteria.
 * The demo workspace gets the airline rubric instead (airlineRubric.ts).
 */
import type {Rubric} from "../schemas/rubric.js";

export const DEFAULT_RUBRIC: Rubric = {
  version: 2,
  revision: 1,
  name: "Pass or fail",
  criteria: [
    {
      id: "overall",
      kind: "boolean",
      owner: null,
      question: "Did the response do what the user needed, correctly and safely?"
    },
    {id: "notes", kind: "text", owner: null, question: "Anything else a reviewer should know?"}
  ],
  failureModes: []
};
