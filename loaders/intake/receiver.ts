/**
 * @module The OTLP/HTTP trace receiver behind `POST /v1/traces`: decodes a request (protobuf or JSON, gzip'd or
 * not), keeps the spans the OTLP reader can read (accept.ts), appends them to the write-ahead log and fsyncs
 * (wal.ts), and only then answers 200; the store catches up in the background (catchUp.ts), as the annotation log's
 * mirror does, retrying while another process holds the store.
 *
 * Answers follow the OTLP/HTTP specification: 200 with an `ExportTraceServiceResponse` in the request's encoding,
 * carrying `partialSuccess` (`rejectedSpans`, `errorMessage`) when some spans were refused; 400 for a body that is
 * not a request; 413 for one over the size limit (after decompression too); 415 for another content type; and 429
 * (too many requests at once) or 503 (the store is behind by more than `maxBacklogBytes`) with `Retry-After`,
 * which exporters honour by retrying later. Error bodies are a `google.rpc.Status`, in the request's encoding.
 *
 * Refused spans are quarantined with their reason, as the file ingest quarantines records. A span is refused before
 * the answer when the OTLP reader cannot read it or when a row it makes is larger than the store takes; what the
 * merge alone can refuse (a trace row assembled from several requests grown past that size) is quarantined by the
 * catch-up after the answer, and reported through `onQuarantine` (the server logs the quarantine file).
 *
 * The catch-up converts in the ingest's worker threads (`workers`, default up to 4; 0 converts on this thread), so
 * the request path is decode → check → append → fsync → answer, and the fsync is shared by concurrent requests.
 *
 * `onTraces(traceIds)` (options) is called with the ids of the traces each catch-up rebuilt in the store.
 */
import {rmSync} from "node:fs";
import {availableParallelism} from "node:os";
import {gunzipSync} from "node:zlib";
import {makeScratchFolder, STAGING_PREFIX} from "../files/scratch.js";
import {WorkerPool, workerScript} from "../ingest/workerPool.js";
import {catchUp, quarantine, type CatchUpPool, type CatchUpResult} from "./catchUp.js";
import {acceptJson, acceptProtobuf, MalformedRequest, type AcceptedBody} from "./accept.js";
import {encodeRpcStatus, encodeTraceResponse, type PartialSuccess} from "./otlpProto.js";
import {WireError} from "./otlpWire.js";
import {openWalWriter, type WalWriter} from "./wal.js";

export interface ReceiverOptions {
  workspace: string;
  onTraces?: (traceIds: string[]) => void;
  /** Requests decoded or being written at once before a new one gets 429. */
  maxPending?: number;
  /** Bytes logged but not yet in the store before a new request gets 503. */
  maxBacklogBytes?: number;
  /** The largest body after decompression, in bytes. */
  maxDecodedBytes?: number;
  /** How long the catch-up waits for more requests before it opens the store; between retries, doubled. */
  catchUpDelayMs?: number;
  onCatchUpError?: (error: unknown) => void;
  /** Told of records the catch-up quarantined after their requests were answered: the file and how many. */
  onQuarantine?: (path: string, rejected: number) => void;
  /** Worker threads for the catch-up's conversion; 0 converts on the receiver's thread. */
  workers?: number;
  clock?: () => number;
  /** A trace is "receiving" while its last span came in under this long ago (default 30 s). */
  receivingMs?: number;
  /** How long the catch-up keeps the store open for more requests once it has taken in the log (default 300 ms). */
  quietMs?: number;
  /** The longest one opening of the store lasts while another open in this process waits (default 5 s). */
  holdMs?: number;
  /** The longest one opening of the store lasts while requests keep coming and nobody asks for it (default 60 s). */
  maxHoldMs?: number;
}

export interface ReceiverRequest {
  body: Uint8Array;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

export interface ReceiverResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export interface Receiver {
  handle(request: ReceiverRequest): Promise<ReceiverResponse>;
  /** Resolves once the store holds every acknowledged span. */
  flush(): Promise<void>;
  /** Stops taking requests, lets the catch-up finish, closes the log. */
  close(): Promise<void>;
  /** Bytes acknowledged and not yet in the store. */
  backlog(): number;
  /** What the explorer's live view polls (see routes.ts's `liveRoutes`). */
  live(): LiveState;
}

export interface LiveState {
  /**
   * Changes whenever a catch-up has put new spans in the store and reported their traces (`onTraces`, which the
   * server answers by invalidating the pages' loader cache): the page then reloads its trace list. Changed at the
   * merge, before the report, a page that asked in between got the list the cache still held, and kept it.
   */
  stored: number;
  /** Traces that received a span in the last `receivingMs`, with the time of their last one (ms since the epoch). */
  receiving: Record<string, number>;
  receivingMs: number;
}

type Encoding = "protobuf" | "json";

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

function encodingOf(contentType: string | undefined): Encoding | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === PROTOBUF) return "protobuf";
  if (type === JSON_TYPE) return "json";
  return null;
}

/** google.rpc.Code values named by the OTLP/HTTP specification's error answers. */
const RPC = {invalidArgument: 3, resourceExhausted: 8, unavailable: 14, unimplemented: 12} as const;

function failure(
  encoding: Encoding,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {}
): ReceiverResponse {
  if (encoding === "protobuf")
    return {status, headers: {"content-type": PROTOBUF, ...headers}, body: encodeRpcStatus(code, message)};
  return {status, headers: {"content-type": JSON_TYPE, ...headers}, body: JSON.stringify({code, message})};
}

function success(encoding: Encoding, partial: PartialSuccess | null): ReceiverResponse {
  if (encoding === "protobuf")
    return {status: 200, headers: {"content-type": PROTOBUF}, body: encodeTraceResponse(partial)};
  const body = partial
    ? {partialSuccess: {rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage}}
    : {};
  return {status: 200, headers: {"content-type": JSON_TYPE}, body: JSON.stringify(body)};
}

export const DEFAULT_MAX_DECODED_BYTES = 64 << 20;
/**
 * Logged bytes the store may be behind before a request gets 503: above the catch-up's largest merge (512 MiB, see
 * catchUp.ts), so a store merging one is not refused traffic for it.
 */
const DEFAULT_MAX_BACKLOG_BYTES = 1 << 30;

export function openReceiver(options: ReceiverOptions): Receiver {
  const {workspace} = options;
  const maxPending = options.maxPending ?? 64;
  const maxBacklog = options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
  const maxDecoded = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  const delay = options.catchUpDelayMs ?? 200;
  const wal: WalWriter = openWalWriter({workspace, clock: options.clock});
  const workers = options.workers ?? Math.min(availableParallelism(), 4);
  // The worker threads start with the first catch-up and stay for the receiver's life.
  let pool: Promise<CatchUpPool> | null = null;
  const poolOf = (): Promise<CatchUpPool> | null => {
    if (workers <= 0) return null;
    pool ??= workerScript().then((script) => {
      const stagingDir = makeScratchFolder(workspace, STAGING_PREFIX);
      return {pool: new WorkerPool(workers, stagingDir, script), workers, stagingDir};
    });
    return pool;
  };
  const quietMs = options.quietMs ?? 300;
  // Wakes a catch-up waiting for more lines (see `waitForMore`) when a request is logged or the receiver closes.
  let wake: (() => void) | null = null;
  // Set by `flush`: whoever waited for the store is about to use it, so a catch-up holding it lets go once taken in.
  let release = false;
  const catchUpNow = async (target: {at: number}) =>
    catchUp({
      workspace,
      onTraces: (traceIds) => {
        options.onTraces?.(traceIds);
        stored = merged;
      },
      onQuarantine: options.onQuarantine,
      pool: await poolOf(),
      holdMs: options.holdMs,
      maxHoldMs: options.maxHoldMs,
      onMerged: (bytes) => {
        merged++;
        taken += bytes;
      },
      // The log is taken in up to what was appended when this pass began: those requests are in the store.
      waitForMore: async () => {
        reached(target.at);
        settle();
        if (appended <= target.at && !closed && !release) {
          await new Promise<void>((resolve) => {
            const timeout = setTimeout(() => {
              wake = null;
              resolve();
            }, quietMs);
            wake = () => {
              clearTimeout(timeout);
              wake = null;
              resolve();
            };
          });
        }
        if (closed || appended <= target.at) {
          release = false;
          return false;
        }
        target.at = appended;
        return true;
      }
    });
  const receivingMs = options.receivingMs ?? 30_000;
  const now = options.clock ?? Date.now;
  // The last time each trace received a span, oldest first (a trace that receives one moves to the end); entries
  // older than `receivingMs` are dropped as requests come and as the map is read, so it holds the last
  // `receivingMs` of traffic, not every trace ever received.
  const lastReceived = new Map<string, number>();
  const received = (traceId: string, at: number) => {
    lastReceived.delete(traceId);
    lastReceived.set(traceId, at);
  };
  const forget = (since: number) => {
    for (const [traceId, at] of lastReceived) {
      if (at >= since) break;
      lastReceived.delete(traceId);
    }
  };
  // Merges done, and those whose traces have been reported (what the live view is told).
  let merged = 0;
  let stored = 0;
  let pending = 0;
  let appended = 0;
  let caughtUp = 0;
  // Bytes of log merged into the store since the start, as each merge ends: a catch-up that keeps the store open
  // while requests keep coming may not reach the log's end (where `caughtUp` moves) for a long while. It counts
  // what an earlier run logged too, so the backlog it gives is never too large.
  let taken = 0;
  // Whether a catch-up has taken the log in to its end since the start (what an earlier run logged included).
  let drained = false;
  /** A catch-up has taken the log in to its end, and with it every request logged before `at` bytes. */
  const reached = (at: number) => {
    caughtUp = Math.max(caughtUp, at);
    drained = true;
  };
  let closed = false;

  // The catch-up: one run at a time; a run asked for while one is going follows it.
  let running: Promise<CatchUpResult | null> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (appended > caughtUp) return;
    const done = waiters;
    waiters = [];
    for (const w of done) w();
  };
  const run = (): Promise<CatchUpResult | null> => {
    if (running) {
      again = true;
      return running;
    }
    const target = {at: appended};
    running = catchUpNow(target)
      .then((result) => {
        reached(target.at);
        return result;
      })
      .catch((error: unknown) => {
        options.onCatchUpError?.(error);
        schedule(Math.min(delay * 4, 5000) || 50);
        return null;
      })
      .finally(() => {
        running = null;
        settle();
        if (again || appended > caughtUp) {
          again = false;
          // Someone waits on `flush`: at once rather than after the delay.
          schedule(waiters.length ? 0 : delay);
        }
      });
    return running;
  };
  const schedule = (wait = delay) => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, wait);
  };
  // What a previous run logged and did not take in (a crash, a kill) goes in at once.
  schedule(0);

  return {
    backlog: () => Math.max(0, appended - taken),
    live() {
      const since = now() - receivingMs;
      forget(since);
      const receiving: Record<string, number> = {};
      for (const [traceId, at] of lastReceived) if (at >= since) receiving[traceId] = at;
      return {stored, receiving, receivingMs};
    },
    async handle(request) {
      const encoding = encodingOf(request.contentType);
      if (encoding === null) {
        return {
          status: 415,
          headers: {"content-type": JSON_TYPE},
          body: JSON.stringify({
            code: RPC.invalidArgument,
            message: `send ${PROTOBUF} or ${JSON_TYPE} (an ExportTraceServiceRequest), not ${request.contentType ?? "no content type"}`
          })
        };
      }
      if (closed) return failure(encoding, 503, RPC.unavailable, "the receiver is stopping", {"retry-after": "5"});
      if (pending >= maxPending)
        return failure(encoding, 429, RPC.resourceExhausted, `more than ${maxPending} requests at once; retry`, {
          "retry-after": "1"
        });
      // Retried after a second: the store takes in about 50 MB a second, so a backlog just over the limit is under it
      // by then. Asked to wait 5 s, every client came back after the store had run out of work, which left the
      // machine idle for seconds at a time; and the OpenTelemetry exporters give a batch up after 5 retries or
      // their 10 s timeout, so short waits let it try more often within that.
      if (appended - taken > maxBacklog)
        return failure(
          encoding,
          503,
          RPC.unavailable,
          "the store is behind the received spans; retry once it has caught up",
          {"retry-after": "1"}
        );
      pending++;
      try {
        let body = request.body;
        const contentEncoding = (request.contentEncoding ?? "identity").trim().toLowerCase();
        if (contentEncoding === "gzip") {
          try {
            body = gunzipSync(body, {maxOutputLength: maxDecoded});
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
              return failure(
                encoding,
                413,
                RPC.invalidArgument,
                `the body is over ${maxDecoded} bytes once decompressed`
              );
            return failure(encoding, 400, RPC.invalidArgument, `the gzip body is corrupt: ${(error as Error).message}`);
          }
        } else if (contentEncoding !== "identity") {
          return failure(
            encoding,
            415,
            RPC.invalidArgument,
            `unsupported Content-Encoding ${contentEncoding}; send gzip or none`
          );
        }
        if (body.byteLength > maxDecoded)
          return failure(encoding, 413, RPC.invalidArgument, `the body is over ${maxDecoded} bytes`);
        let accepted: AcceptedBody;
        try {
          accepted = encoding === "protobuf" ? acceptProtobuf(body) : acceptJson(body);
        } catch (error) {
          if (error instanceof MalformedRequest || error instanceof WireError || error instanceof SyntaxError)
            return failure(encoding, 400, RPC.invalidArgument, `not an ExportTraceServiceRequest: ${error.message}`);
          throw error;
        }
        if (accepted.rejected.length) {
          quarantine(
            workspace,
            accepted.rejected.map((r) => ({
              file: "POST /v1/traces",
              line: 0,
              reason: r.reason,
              text: r.text,
              encoding: "utf8"
            }))
          );
        }
        if (accepted.line || accepted.request) {
          const bytes = accepted.line ?? Buffer.from(JSON.stringify(accepted.request), "utf8");
          await wal.append([bytes]);
          appended += bytes.length + 1;
          wake?.();
          const at = now();
          forget(at - receivingMs);
          if (accepted.traceIds) for (const traceId of accepted.traceIds) received(traceId, at);
          else if (accepted.request)
            for (const rs of accepted.request.resourceSpans as {scopeSpans?: {spans?: {traceId?: unknown}[]}[]}[])
              for (const ss of rs.scopeSpans ?? [])
                for (const span of ss.spans ?? [])
                  if (typeof span.traceId === "string") received(span.traceId.toLowerCase(), at);
          schedule();
        }
        if (!accepted.rejected.length) return success(encoding, null);
        const reasons = [...new Set(accepted.rejected.map((r) => r.reason))];
        const shown = reasons.slice(0, 3).join("; ") + (reasons.length > 3 ? `; and ${reasons.length - 3} more` : "");
        return success(encoding, {
          rejectedSpans: accepted.rejected.length,
          errorMessage: `${accepted.rejected.length} span${accepted.rejected.length === 1 ? "" : "s"} refused (kept in the workspace's quarantine folder): ${shown}`
        });
      } finally {
        pending--;
      }
    },
    flush() {
      // A catch-up still waiting to start (the one at start, for what an earlier run logged) is waited for too.
      if (running) {
        release = true;
        wake?.();
      }
      if (appended <= caughtUp && drained) return Promise.resolve();
      release = true;
      const done = new Promise<void>((resolve) => waiters.push(resolve));
      if (!running) {
        if (timer) clearTimeout(timer);
        timer = null;
        void run();
      }
      return done;
    },
    async close() {
      closed = true;
      wake?.();
      if (timer) clearTimeout(timer);
      timer = null;
      await wal.close();
      while (running) await running;
      if (appended > caughtUp) {
        await catchUpNow({at: appended})
          .then(() => void (caughtUp = appended))
          .catch((error: unknown) => options.onCatchUpError?.(error));
      }
      settle();
      if (pool) {
        const {pool: threads, stagingDir} = await pool;
        await threads.close();
        rmSync(stagingDir, {recursive: true, force: true});
      }
    }
  };
}
