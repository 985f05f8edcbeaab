/**
 * @module `POST /api/feedback`: end-user thumbs, scores and comments sent by a running app, a Hono sub-app for the
 * API server to mount. Each feedback becomes an `end_user` label, written through the annotation service like
 * `plumbline feedback import thumbs` writes one: appended to the log and on disk before the answer goes out.
 *
 * The client names each feedback with its own id; the label's id is derived from it, so sending it again (a
 * retry, two requests racing) stores one label. The same id with different content is refused with 409, since
 * an id names one feedback for good. A trace need not have arrived yet: the label waits in the log and the
 * store, and joins the trace by its id once the trace is ingested.
 */
import {Hono, type Context} from "hono";
import {feedbackLabel, sameFeedback, type FeedbackFields} from "../../src/core/annotations/endUserFeedback.js";
import {
  FEEDBACK_BATCH_LIMIT,
  FeedbackBatchSchema,
  FeedbackSchema,
  type Feedback,
  type FeedbackReceipt
} from "../../src/core/schemas/feedback.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {sha256Hex} from "../formats/hash.js";
import type {AnnotationService} from "./service.js";

/** Who the log records as writing feedback that came in over the API. */
const WRITER = "api:feedback";

/** The stored label's id for a client's feedback id: the same on every retry, apart from other labels' ids. */
export function feedbackLabelId(clientId: string): string {
  return `fb-api-${sha256Hex(clientId).slice(0, 24)}`;
}

interface Prepared {
  feedback: Feedback;
  id: string;
  fields: FeedbackFields;
}

const refuse = (c: Context, error: string, status: 400 | 409, extra: object = {}) => c.json({error, ...extra}, status);

export function feedbackRoutes(service: AnnotationService): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    // The server's JSON-object check has read and refused anything but an object before this runs.
    const body = (await c.req.json()) as Record<string, unknown>;
    const batch = "feedback" in body;
    let items: unknown[] = [body];
    if (batch) {
      const parsed = FeedbackBatchSchema.safeParse(body);
      if (!parsed.success)
        return refuse(
          c,
          `a batch is {feedback: [...]} with 1 to ${FEEDBACK_BATCH_LIMIT} feedback: ${issueText(parsed.error, "body")}`,
          400
        );
      items = parsed.data.feedback;
    }
    const where = (index: number) => (batch ? `feedback[${index}]: ` : "");
    const rubric = service.rubric();
    const prepared: Prepared[] = [];
    for (const [index, item] of items.entries()) {
      const parsed = FeedbackSchema.safeParse(item);
      if (!parsed.success) return refuse(c, `${where(index)}invalid feedback: ${issueText(parsed.error, "body")}`, 400);
      const feedback = parsed.data;
      const criterionId = feedback.name ?? feedback.key ?? "overall";
      const criterion = rubric.criteria.find((k) => k.id === criterionId);
      if (!criterion)
        return refuse(
          c,
          `${where(index)}unknown criterion ${criterionId} in name: the rubric has ${rubric.criteria.map((k) => k.id).join(", ")}; ` +
            "send one of those (or leave name out for overall), or add it to the rubric",
          400
        );
      const label = feedbackLabel(feedback, criterion);
      if ("error" in label) return refuse(c, `${where(index)}${label.error}`, 400);
      prepared.push({feedback, id: feedbackLabelId(feedback.id), fields: label.fields});
    }
    // One request naming one id twice with different content is refused before anything is written.
    const byId = new Map<string, Prepared>();
    for (const p of prepared) {
      const first = byId.get(p.id);
      if (first && JSON.stringify(first.fields) !== JSON.stringify(p.fields))
        return refuse(
          c,
          `feedback ${p.feedback.id} appears twice in this batch with different content; send it once`,
          409
        );
      byId.set(p.id, p);
    }
    const result = await service.importMany(
      prepared.map((p) => ({id: p.id, fields: p.fields})),
      WRITER
    );
    const created = new Set(result.created.map((a) => a.id));
    const ids = new Set(prepared.map((p) => p.id));
    const stored = new Map(
      service
        .list()
        .filter((a) => ids.has(a.id))
        .map((a) => [a.id, a])
    );
    const rejected = new Map(result.rejected.map((r) => [r.index, r.reason]));
    const results: FeedbackReceipt[] = [];
    const conflicts: string[] = [];
    const problems: string[] = [];
    prepared.forEach((p, index) => {
      const reason = rejected.get(index);
      if (reason !== undefined) return void problems.push(`${where(index)}${reason}`);
      const label = stored.get(p.id);
      // A label deleted since it was stored still counts as received: the feedback is not taken again.
      if (!created.has(p.id) && label && !sameFeedback(label, p.fields)) return void conflicts.push(p.feedback.id);
      results.push({
        id: p.id,
        clientId: p.feedback.id,
        traceId: p.feedback.traceId,
        status: created.has(p.id) && !results.some((r) => r.id === p.id) ? "created" : "duplicate"
      });
    });
    if (problems.length) return refuse(c, problems.join("; "), 400, batch ? {results} : {});
    if (conflicts.length)
      return refuse(
        c,
        `feedback ${conflicts.join(", ")} was already received with different content; an id names one feedback ` +
          "for good: send new feedback under a new id",
        409,
        batch ? {results} : {}
      );
    const status = results.some((r) => r.status === "created") ? 201 : 200;
    return c.json(batch ? {results} : results[0]!, status);
  });
  app.all("/", (c) => c.json({error: `${c.req.method} /api/feedback is not served; POST feedback to it`}, 405));
  return app;
}
