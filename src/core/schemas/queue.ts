/**
 * @module An annotation queue: which traces, in what order, for whom. A queue is built once from the workspace
 * (its items keep the priority and the reasons they had then) and then only grows, so a trace never appears
 * twice in one queue and a reviewer's place in it does not shift under them.
 */
import {z} from "zod";
import {SIGNALS} from "../queue/signals.js";

export const QUEUE_VERSION = 1;

export const QueueFilterSchema = z.object({
  model: z.string().nullable().default(null),
  status: z.string().nullable().default(null),
  format: z.string().nullable().default(null),
  /** Case-insensitive substring of the trace id or name. */
  text: z.string().default(""),
  /** Only traces with at least this priority (the random share is drawn regardless). */
  minScore: z.number().default(0)
});
export type QueueFilter = z.infer<typeof QueueFilterSchema>;

export const QueueItemSchema = z.object({
  traceId: z.string(),
  score: z.number(),
  /** Drawn at random as a backstop, not for its signals. */
  random: z.boolean(),
  clusterWeight: z.number(),
  contributions: z.array(z.object({signal: z.enum(SIGNALS), points: z.number(), reason: z.string()})),
  /** The automation rule that enqueued the trace (see `automation.json`); absent for traces a person queued. */
  enqueuedBy: z.string().optional()
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

export const QueueSchema = z.object({
  version: z.literal(QUEUE_VERSION),
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "a queue id is lower-case letters, digits, - and _"),
  name: z.string().min(1),
  annotators: z.array(z.string().min(1)).min(1),
  /** How many different annotators should label each trace, so that their agreement can be measured. */
  annotatorsPerTrace: z.number().int().min(1),
  /** The criterion whose label marks a trace as done for an annotator. */
  criterion: z.string().default("overall"),
  size: z.number().int().nonnegative(),
  randomShare: z.number().min(0).max(1),
  seed: z.number().int(),
  filter: QueueFilterSchema,
  createdAt: z.number(),
  items: z.array(QueueItemSchema)
});
export type Queue = z.infer<typeof QueueSchema>;

export function parseQueue(value: unknown): Queue {
  const version = value && typeof value === "object" ? (value as {version?: unknown}).version : undefined;
  if (typeof version === "number" && version > QUEUE_VERSION) {
    throw new Error(`invalid queue: format version ${version} is newer than this Plumbline reads (${QUEUE_VERSION})`);
  }
  const parsed = QueueSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid queue: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
