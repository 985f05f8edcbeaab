/** @module Annotation events for tests: valid by construction, distinct by number. */
import {ANNOTATION_VERSION, type AnnotationEvent} from "../../src/core/schemas/annotation.js";

export function createEvent(
  n: number,
  fields: {traceId?: string; annotator?: string; criterion?: string; pass?: boolean} = {}
): AnnotationEvent {
  const annotator = fields.annotator ?? "ana";
  return {
    op: "create",
    eventId: `e${n}`,
    at: 1_767_000_000_000 + n,
    by: annotator,
    annotation: {
      version: ANNOTATION_VERSION,
      id: `a${n}`,
      traceId: fields.traceId ?? `trace-${n}`,
      criterion: fields.criterion ?? "overall",
      score: null,
      pass: fields.pass ?? n % 2 === 0,
      label: null,
      failureMode: null,
      explanation: `label ${n}`,
      source: "reviewer",
      scope: {kind: "trace"},
      metadata: {model: null, promptVersion: null, productArea: null},
      correctedOutput: null,
      annotator,
      createdAt: 1_767_000_000_000 + n,
      rubricRevision: 1
    }
  };
}
