/**
 * @module The annotation service: the one place labels are written. It validates against the schema and the
 * rubric, appends to the log (durable before it answers), keeps the current labels in memory for reads, and
 * mirrors the log into DuckDB in the background.
 *
 * It keeps the current labels, not the events: the log is folded as it streams by at start (from the place a
 * snapshot of the labels reached, loaders/annotations/snapshot.ts) and followed after, so memory follows the number
 * of labels however many edits the log holds. An edit is appended as a patch of the
 * fields it names, and the labels it returns are the log folded in log order, other processes' writes included.
 *
 * The mirror is deliberately lazy and forgiving: the DuckDB file can be held by a page build or an ingest for a
 * moment, and a label must never fail for that. Writes are acknowledged once the log has them; the mirror retries
 * until the store catches up, and `flush()` waits for it.
 */
import {randomUUID} from "node:crypto";
import {existsSync, statSync} from "node:fs";
import {z} from "zod";
import {
  ANNOTATION_VERSION,
  AnnotationChangesSchema,
  AnnotationSchema,
  applyAnnotationEvent,
  eventAnnotationId,
  NewAnnotationSchema,
  type Annotation,
  type AnnotationEvent
} from "../../src/core/schemas/annotation.js";
import {answerPasses, failureModeChoices, type Rubric} from "../../src/core/schemas/rubric.js";
import {PlumblineError} from "../errors.js";
import {withConnection} from "../store/db.js";
import {mirrorAnnotationLog} from "./mirror.js";
import {readRubric, rubricPath} from "./files.js";
import {followLog, logPath, openLogWriter, type LogPosition, type LogProblem} from "./log.js";
import {readSnapshot, snapshotPath, writeSnapshot, type LabelState} from "./snapshot.js";

/** How much of the log a start reads before it writes a snapshot straight away rather than only at close. */
const SNAPSHOT_AFTER_BYTES = 64 << 20;

function rubricMtime(workspace: string): number {
  const file = rubricPath(workspace);
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/**
 * A request the service refuses: bad input (400), a missing label (404) or a forbidden action (403). The server
 * answers with `status`; a command ends with status 2 for bad input, which is a usage error, and 1 otherwise.
 */
export class AnnotationError extends PlumblineError {
  override readonly name = "AnnotationError";
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 = 400
  ) {
    super(message, status === 400 ? 2 : 1);
  }
}

export interface AnnotationServiceOptions {
  workspace: string;
  clock?: () => number;
  newId?: () => string;
  /** How long the mirror waits for more writes before it opens the store; and between retries, doubled. */
  mirrorDelayMs?: number;
  onMirrorError?: (error: unknown) => void;
}

const AdjudicationSchema = z.object({
  traceId: z.string().min(1),
  criterion: z.string().min(1),
  pass: z.boolean(),
  failureMode: z.string().min(1).nullable().default(null),
  explanation: z.string().nullable().default(null)
});

export interface AnnotationService {
  readonly workspace: string;
  readonly problems: readonly LogProblem[];
  rubric(): Rubric;
  list(filter?: {traceId?: string; annotator?: string}): Annotation[];
  failureModes(): {name: string; isNew: boolean}[];
  create(input: unknown, by?: string): Promise<Annotation>;
  /**
   * Adds labels from another source with ids the caller derives from the source row, in one durable append;
   * a label whose id the log already has (a re-import) is skipped, and an invalid one is returned with its reason.
   */
  importMany(
    inputs: readonly {id: string; fields: unknown}[],
    by: string
  ): Promise<{created: Annotation[]; skipped: number; rejected: {index: number; reason: string}[]}>;
  /** Settles a criterion for a trace; only the criterion's owner may, when it has one. */
  adjudicate(input: unknown, adjudicator: string): Promise<Annotation>;
  edit(id: string, patch: unknown, by: string): Promise<Annotation>;
  remove(id: string, by: string): Promise<void>;
  /** Runs `fn` with the store, after any pending mirror writes, one caller at a time. */
  withStore<T>(fn: Parameters<typeof withConnection<T>>[1]): Promise<T>;
  /** Resolves once the store mirrors every acknowledged event. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function openAnnotationService(options: AnnotationServiceOptions): AnnotationService {
  const {workspace} = options;
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const delay = options.mirrorDelayMs ?? 200;
  const file = logPath(workspace);
  const snapshotFile = snapshotPath(workspace);
  // A start folds the log from the snapshot's place when it has one that fits; otherwise from the start.
  const state: LabelState = readSnapshot(snapshotFile, file) ?? {
    position: {offset: 0, line: 0},
    applied: 0,
    current: new Map(),
    known: new Set(),
    problems: []
  };
  const {current, known} = state;
  // The end of the last event taken in: the mirror has caught up once it has read this far.
  let applied = state.applied;
  // The log is followed, not just read once: `plumbline feedback import` may append while the server runs.
  const follower = followLog(file, state.position);
  const apply = (event: AnnotationEvent, at: LogPosition) => {
    known.add(eventAnnotationId(event));
    applyAnnotationEvent(current, event);
    applied = at.offset;
  };
  const problems = [...state.problems, ...follower.read(apply, true)];
  let snapshotAt = state.position.offset;
  const saveSnapshot = () => {
    const position = follower.position();
    if (position.offset === snapshotAt) return;
    try {
      writeSnapshot(snapshotFile, file, {position, applied, current, known, problems});
      snapshotAt = position.offset;
    } catch {
      // The snapshot only saves time at the next start; without it the next start folds the whole log.
    }
  };
  // A start that had to read much of the log saves its place at once, so a server that is killed still leaves it.
  if (follower.position().offset - state.position.offset > SNAPSHOT_AFTER_BYTES) saveSnapshot();
  /** Takes in what was appended since the last look, by this process or another, in log order. */
  const sync = () => {
    const stamp = rubricMtime(workspace);
    if (stamp !== rubricStamp) {
      rubricStamp = stamp;
      rubric = readRubric(workspace);
    }
    const before = applied;
    problems.push(...follower.read(apply));
    if (applied !== before) scheduleMirror();
  };
  const writer = openLogWriter(file);
  // The rubric is re-read when its file changes, so `plumbline annotations rubric --set` reaches a running server.
  let rubric = readRubric(workspace);
  let rubricStamp = rubricMtime(workspace);

  // One chain serialises validation and appends, so a check and the write it guards cannot interleave.
  let writes: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = writes.then(() => (sync(), task()));
    writes = next.catch(() => undefined);
    return next;
  };
  // A second chain serialises store access: the mirror and any reader share one connection at a time.
  let store: Promise<unknown> = Promise.resolve();
  const withStore = <T>(fn: Parameters<typeof withConnection<T>>[1]): Promise<T> => {
    const next = store.then(() => withConnection(workspace, fn));
    store = next.catch(() => undefined);
    return next;
  };

  let mirrored = -1;
  const mirror = () =>
    withStore((connection) => mirrorAnnotationLog(connection, file)).then((result) => void (mirrored = result.offset));
  let timer: NodeJS.Timeout | null = null;
  const waiters: {resolve: () => void; reject: (error: unknown) => void}[] = [];
  let closed = false;
  const scheduleMirror = (wait = delay) => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      mirror()
        .then(() => {
          if (mirrored < applied) scheduleMirror();
          else for (const waiter of waiters.splice(0)) waiter.resolve();
        })
        .catch((error) => {
          options.onMirrorError?.(error);
          for (const waiter of waiters.splice(0)) waiter.reject(error);
          scheduleMirror(Math.min(wait * 2, 5000));
        });
    }, wait);
  };
  // A store older than the log (a crash between append and mirror, or a log copied in) catches up at start.
  scheduleMirror(0);

  const normalize = (annotation: Annotation): Annotation => {
    const criterion = rubric.criteria.find((c) => c.id === annotation.criterion);
    if (!criterion)
      throw new AnnotationError(
        `unknown criterion: ${annotation.criterion} (the rubric has ${rubric.criteria.map((c) => c.id).join(", ")})`
      );
    if (
      criterion.kind === "categorical" &&
      annotation.label !== null &&
      !criterion.options.includes(annotation.label)
    ) {
      throw new AnnotationError(
        `invalid label for ${criterion.id}: ${annotation.label} (choose one of ${criterion.options.join(", ")})`
      );
    }
    const pass = answerPasses(criterion, annotation);
    const score = annotation.score ?? (criterion.kind === "boolean" && pass !== null ? (pass ? 1 : 0) : null);
    return {...annotation, pass, score, rubricRevision: annotation.rubricRevision ?? rubric.revision};
  };
  const parse = <T>(schema: z.ZodType<T>, value: unknown): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new AnnotationError(`invalid annotation: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };
  // The batch is taken in by reading it back, after anything another process appended before it, so this
  // process's labels are always the log folded in log order.
  const commit = async (batch: AnnotationEvent[]) => {
    await writer.append(batch);
    sync();
  };

  return {
    workspace,
    problems,
    rubric: () => (sync(), rubric),
    list(filter = {}) {
      sync();
      return [...current.values()].filter(
        (a) =>
          (filter.traceId === undefined || a.traceId === filter.traceId) &&
          (filter.annotator === undefined || a.annotator === filter.annotator)
      );
    },
    failureModes: () => (
      sync(),
      failureModeChoices(
        rubric,
        [...current.values()].map((a) => a.failureMode)
      )
    ),
    create(input, by) {
      return serial(async () => {
        const fields = parse(NewAnnotationSchema, input);
        if (fields.source === "adjudication")
          throw new AnnotationError("an adjudication is made through adjudicate, by the criterion's owner");
        const at = clock();
        const annotation = normalize(
          AnnotationSchema.parse({...fields, version: ANNOTATION_VERSION, id: newId(), createdAt: at})
        );
        await commit([{op: "create", eventId: newId(), at, by: by ?? annotation.annotator, annotation}]);
        return annotation;
      });
    },
    importMany(inputs, by) {
      return serial(async () => {
        const batch: AnnotationEvent[] = [];
        const rejected: {index: number; reason: string}[] = [];
        let skipped = 0;
        const taken = new Set<string>();
        const at = clock();
        inputs.forEach(({id, fields}, index) => {
          if (known.has(id) || taken.has(id)) return void skipped++;
          try {
            const parsed = parse(NewAnnotationSchema, fields);
            if (parsed.source === "adjudication") throw new AnnotationError("an import cannot adjudicate");
            const annotation = normalize(
              AnnotationSchema.parse({
                ...parsed,
                version: ANNOTATION_VERSION,
                id,
                createdAt: (fields as {createdAt?: number}).createdAt ?? at
              })
            );
            taken.add(id);
            batch.push({op: "create", eventId: newId(), at, by, annotation});
          } catch (error) {
            rejected.push({index, reason: error instanceof Error ? error.message : String(error)});
          }
        });
        if (batch.length) await commit(batch);
        return {
          created: batch.map((e) => (e as Extract<AnnotationEvent, {op: "create"}>).annotation),
          skipped,
          rejected
        };
      });
    },
    adjudicate(input, adjudicator) {
      return serial(async () => {
        const fields = parse(AdjudicationSchema, input);
        const criterion = rubric.criteria.find((c) => c.id === fields.criterion);
        if (criterion?.owner && criterion.owner !== adjudicator) {
          throw new AnnotationError(`only ${criterion.owner}, the owner of ${criterion.id}, adjudicates it`, 403);
        }
        const at = clock();
        const annotation = normalize(
          AnnotationSchema.parse({
            ...fields,
            version: ANNOTATION_VERSION,
            id: newId(),
            createdAt: at,
            source: "adjudication",
            annotator: adjudicator
          })
        );
        await commit([{op: "create", eventId: newId(), at, by: adjudicator, annotation}]);
        return annotation;
      });
    },
    edit(id, patch, by) {
      return serial(async () => {
        const old = current.get(id);
        if (!old) throw new AnnotationError(`no label ${id}: it does not exist or was deleted`, 404);
        // Defaults in the schema would fill fields the patch leaves out; only the fields it names change.
        const parsed = parse(AnnotationChangesSchema, patch) as Record<string, unknown>;
        const named = Object.fromEntries(
          Object.keys(patch as object)
            .filter((k) => k in parsed)
            .map((k) => [k, parsed[k]])
        );
        // A pass derived from a category or a score is derived again when the answer changes.
        if (("label" in named || "score" in named) && !("pass" in named)) named.pass = null;
        const annotation = normalize(AnnotationSchema.parse({...old, ...named}));
        // The event holds the fields the edit names and what normalizing derived from them, nothing else: the rest
        // of the label stays as the log has it, so an edit of another field made meanwhile is kept.
        const fields = Object.keys(annotation) as (keyof Annotation)[];
        const changed = fields.filter((k) => k in named || JSON.stringify(annotation[k]) !== JSON.stringify(old[k]));
        const changes = Object.fromEntries(changed.map((k) => [k, annotation[k]]));
        await commit([{op: "patch", eventId: newId(), at: clock(), by, version: ANNOTATION_VERSION, id, changes}]);
        return current.get(id) ?? annotation;
      });
    },
    remove(id, by) {
      return serial(async () => {
        if (!current.has(id)) throw new AnnotationError(`no label ${id}: it does not exist or was deleted`, 404);
        await commit([{op: "delete", eventId: newId(), at: clock(), by, id}]);
      });
    },
    withStore: (fn) => serial(async () => undefined).then(() => withStore(fn)),
    flush() {
      if (mirrored >= applied && !timer) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({resolve, reject});
        scheduleMirror(0);
      });
    },
    async close() {
      await serial(async () => undefined);
      closed = true;
      await writer.close();
      if (timer) clearTimeout(timer);
      timer = null;
      // One last attempt to bring the store up to date; if it fails the next start catches up from the log.
      saveSnapshot();
      if (mirrored < applied) await mirror().catch((error) => options.onMirrorError?.(error));
      // A sync a timer started may still be running (it can have read further than this process, so the check above
      // passes): the store is left only once it is done.
      await store.then(
        () => undefined,
        () => undefined
      );
      for (const waiter of waiters.splice(0)) waiter.resolve();
    }
  };
}
