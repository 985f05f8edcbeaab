/**
 * @module What a person (or an imported feedback source) said about a trace, and the events of the annotation log.
 *
 * The log is append-only: a label is created, edited and deleted by events, never rewritten. Every event carries
 * its format's `version`; older versions are migrated forward on read and a newer one is refused with a message,
 * so an old Plumbline never misreads a log written by a newer one.
 */
import {z} from "zod";
import {SEVERITIES} from "../annotations/severity.js";

/** The version this code writes. Version 1 (a plain pass/fail verdict with a comment) is still read. */
export const ANNOTATION_VERSION = 2;

/** Who produced the label: a reviewer in the app, the product's end user, an automated evaluator, a ticket. */
export const SourceSchema = z.enum([
  "reviewer",
  "end_user",
  "automated",
  "support_ticket",
  "qa_review",
  "adjudication"
]);
export type Source = z.infer<typeof SourceSchema>;

/** What the label is about: the session, the whole trace, one span, or a range of characters in one message. */
export const ScopeSchema = z.discriminatedUnion("kind", [
  z.object({kind: z.literal("session"), sessionId: z.string().min(1)}),
  z.object({kind: z.literal("trace")}),
  z.object({kind: z.literal("span"), spanId: z.string().min(1)}),
  z
    .object({
      kind: z.literal("text"),
      /** The message's position in the trace's detail record (`messages[messageIndex]`). */
      messageIndex: z.number().int().nonnegative(),
      spanId: z.string().nullable().default(null),
      /** Character offsets into the message content, end exclusive. */
      start: z.number().int().nonnegative(),
      end: z.number().int().nonnegative(),
      /** The selected text as it read when labelled, so the range still means something if offsets drift. */
      quote: z.string()
    })
    .refine((s) => s.end > s.start, {message: "a text range must end after it starts"})
]);
export type Scope = z.infer<typeof ScopeSchema>;

/** How much a failure matters, least to most. */
export {SEVERITIES};
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/**
 * The suggestion a label was accepted from: a calibrated judge's verdict or a drafted failure description. A label
 * accepted from a judge's draft is a person's judgement, but not independent of that judge, so calibration leaves it
 * out of that judge's evidence.
 */
export const AcceptedDraftSchema = z.object({
  kind: z.enum(["judge_verdict", "failure_draft"]),
  /** The evaluator that drafted it, and which version. */
  evaluatorId: z.string().min(1),
  evaluatorVersion: z.string().nullable().default(null),
  /** The draft's own id: the judge run for a verdict, the draft row for a failure description. */
  draftId: z.string().nullable().default(null)
});
export type AcceptedDraft = z.infer<typeof AcceptedDraftSchema>;

export const LabelMetadataSchema = z.object({
  model: z.string().nullable().default(null),
  promptVersion: z.string().nullable().default(null),
  productArea: z.string().nullable().default(null)
});

/** One label on one rubric criterion. `criterion: "overall"` is the plain pass/fail verdict on the whole trace. */
export const AnnotationSchema = z.object({
  version: z.literal(ANNOTATION_VERSION),
  id: z.string().min(1),
  traceId: z.string().min(1),
  criterion: z.string().min(1),
  /** 0 (worst) to 1 (best); a pass/fail criterion stores 1 or 0 alongside `pass`. */
  score: z.number().min(0).max(1).nullable().default(null),
  pass: z.boolean().nullable().default(null),
  /** A categorical answer, or free text for a text criterion. */
  label: z.string().nullable().default(null),
  /** A failure-mode category, from the rubric or newly named by the annotator. */
  failureMode: z.string().min(1).nullable().default(null),
  explanation: z.string().nullable().default(null),
  /** How much the failure matters; absent or null when not said. Optional, so older labels read and write as they were. */
  severity: SeveritySchema.nullable().optional(),
  source: SourceSchema,
  /** Set when the label was accepted from a draft rather than given from scratch. */
  acceptedFrom: AcceptedDraftSchema.nullable().optional(),
  scope: ScopeSchema.default({kind: "trace"}),
  metadata: LabelMetadataSchema.default({model: null, promptVersion: null, productArea: null}),
  /** What the output should have been. */
  correctedOutput: z.string().nullable().default(null),
  annotator: z.string().min(1),
  /** Epoch milliseconds of the first version of this label. */
  createdAt: z.number(),
  /** The rubric revision the label was given under. */
  rubricRevision: z.number().int().nullable().default(null)
});
export type Annotation = z.infer<typeof AnnotationSchema>;
/** What a client sends to create a label: the server names it and stamps the time. */
export const NewAnnotationSchema = AnnotationSchema.omit({version: true, id: true, createdAt: true});
export type NewAnnotation = z.input<typeof NewAnnotationSchema>;

/** Version 1: one pass/fail verdict on a trace with a free-text comment. */
const AnnotationV1Schema = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  traceId: z.string().min(1),
  verdict: z.enum(["pass", "fail"]),
  comment: z.string().nullable().optional(),
  annotator: z.string().min(1),
  createdAt: z.number()
});

function migrateV1(old: z.infer<typeof AnnotationV1Schema>): Annotation {
  return AnnotationSchema.parse({
    version: ANNOTATION_VERSION,
    id: old.id,
    traceId: old.traceId,
    criterion: "overall",
    pass: old.verdict === "pass",
    score: old.verdict === "pass" ? 1 : 0,
    explanation: old.comment ?? null,
    source: "reviewer",
    annotator: old.annotator,
    createdAt: old.createdAt
  });
}

/** The fields an edit may change; who made the label, about which trace, and when, stay as they were. */
export const AnnotationChangesSchema = AnnotationSchema.omit({
  version: true,
  id: true,
  traceId: true,
  annotator: true,
  source: true,
  createdAt: true
}).partial();
export type AnnotationChanges = z.infer<typeof AnnotationChangesSchema>;

/**
 * The log's events. `create` holds the whole label; `patch` holds only the fields an edit changed, so an edit's
 * line stays small however long the label's explanation is, and two people editing different fields of one label
 * at once both keep their change. `edit` (a whole new copy of the label) is what earlier versions wrote for every
 * edit; it is still read, and replaces the label as it did.
 *
 * Folding: events apply in log order (the order their appends reached the file). A patch sets the fields it
 * names and leaves the rest, so for one field the last patch in the log wins; `metadata` and `scope` are fields,
 * replaced whole. A patch or edit of a label that does not exist (never created, or deleted) changes nothing.
 */
export const AnnotationEventSchema = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("create"),
    eventId: z.string().min(1),
    at: z.number(),
    by: z.string().min(1),
    annotation: AnnotationSchema
  }),
  z.object({
    op: z.literal("edit"),
    eventId: z.string().min(1),
    at: z.number(),
    by: z.string().min(1),
    annotation: AnnotationSchema
  }),
  z.object({
    op: z.literal("patch"),
    eventId: z.string().min(1),
    at: z.number(),
    by: z.string().min(1),
    /** The annotation format the changes are written in, so a later format can migrate them. */
    version: z.literal(ANNOTATION_VERSION),
    id: z.string().min(1),
    changes: AnnotationChangesSchema
  }),
  z.object({
    op: z.literal("delete"),
    eventId: z.string().min(1),
    at: z.number(),
    by: z.string().min(1),
    id: z.string().min(1)
  })
]);
export type AnnotationEvent = z.infer<typeof AnnotationEventSchema>;

export type ParsedEvent = {ok: true; event: AnnotationEvent} | {ok: false; reason: string};

/** Parses one log line's JSON value, migrating an older annotation version; never throws. */
export function parseAnnotationEvent(value: unknown): ParsedEvent {
  if (value && typeof value === "object" && (value as {op?: unknown}).op === "patch") {
    const version = (value as {version?: unknown}).version;
    if (typeof version === "number" && version > ANNOTATION_VERSION) {
      return {
        ok: false,
        reason: `annotation version ${version} is newer than this Plumbline reads (${ANNOTATION_VERSION}); upgrade Plumbline`
      };
    }
  }
  if (value && typeof value === "object" && "annotation" in value) {
    const annotation = (value as {annotation: unknown}).annotation;
    const version =
      annotation && typeof annotation === "object" ? (annotation as {version?: unknown}).version : undefined;
    if (typeof version === "number" && version > ANNOTATION_VERSION) {
      return {
        ok: false,
        reason: `annotation version ${version} is newer than this Plumbline reads (${ANNOTATION_VERSION}); upgrade Plumbline`
      };
    }
    if (version === 1) {
      const old = AnnotationV1Schema.safeParse(annotation);
      if (!old.success) return {ok: false, reason: `invalid annotation: ${z.prettifyError(old.error)}`};
      value = {...value, annotation: migrateV1(old.data)};
    }
  }
  const parsed = AnnotationEventSchema.safeParse(value);
  if (!parsed.success) return {ok: false, reason: `invalid annotation event: ${z.prettifyError(parsed.error)}`};
  const event = parsed.data;
  if (event.op === "patch") {
    // The schema's defaults filled the fields the patch leaves out; a patch changes only the fields it names.
    const named = new Set(Object.keys((value as {changes: object}).changes));
    event.changes = Object.fromEntries(Object.entries(event.changes).filter(([key]) => named.has(key)));
  }
  return {ok: true, event};
}

/** The label an event is about. */
export function eventAnnotationId(event: AnnotationEvent): string {
  return event.op === "create" || event.op === "edit" ? event.annotation.id : event.id;
}

/**
 * Applies one event to the current labels (see AnnotationEventSchema for the rule). Returns the label as the
 * event leaves it, `"deleted"`, or null when the event changes nothing.
 */
export function applyAnnotationEvent(
  current: Map<string, Annotation>,
  event: AnnotationEvent
): Annotation | "deleted" | null {
  switch (event.op) {
    case "create":
      current.set(event.annotation.id, event.annotation);
      return event.annotation;
    case "edit":
      if (!current.has(event.annotation.id)) return null;
      current.set(event.annotation.id, event.annotation);
      return event.annotation;
    case "patch": {
      const old = current.get(event.id);
      if (!old) return null;
      const next = {...old, ...event.changes};
      current.set(event.id, next);
      return next;
    }
    case "delete":
      if (!current.delete(event.id)) return null;
      return "deleted";
  }
}

/** Folds events into the current labels: the latest version of each, deleted ones left out, in creation order. */
export function currentAnnotations(events: Iterable<AnnotationEvent>): Annotation[] {
  const current = new Map<string, Annotation>();
  for (const event of events) applyAnnotationEvent(current, event);
  return [...current.values()];
}
