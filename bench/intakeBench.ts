/**
 * @module Live intake: the OTLP/HTTP receiver in a process of its own (loaders/intake/fixtures/receiverMain.ts)
 * taking protobuf requests of 512 spans (the OpenTelemetry SDK's batch size), uncompressed as exporters send them
 * by default (`gzip`: gzip'd), from four clients at once for `seconds`, then stopped with SIGTERM, which lets the
 * store catch up before it exits. The clients share this machine's cores with the receiver, which a real exporter
 * would not: each request is a pre-encoded synthetic request with fresh ids patched in, so the clients cost little
 * (their CPU per span is printed). Sustained intake is the spans
 * acknowledged over the whole time until the store holds them; beside it, the file ingest's spans/s on the same
 * requests written as OTLP/JSON Lines, in the same run; p99 request latency; the receiver's peak RSS.
 */
import {spawn} from "node:child_process";
import {once} from "node:events";
import {closeSync, mkdtempSync, openSync, rmSync, writeSync} from "node:fs";
import {Agent, request} from "node:http";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {generateOtlpLine} from "../loaders/formats/otlpSynth.js";
import {ingest} from "../loaders/ingest/ingest.js";
import {encodeTraceRequest} from "../loaders/intake/otlpProto.js";
import {decodeWireRequest} from "../loaders/intake/otlpWire.js";
import {withReadConnection} from "../loaders/store/db.js";
import {fmt, ROOT, table} from "./run.js";

const SPANS_PER_REQUEST = 512;
/** Distinct request contents; request n is template n % TEMPLATES with ids of its own. */
const TEMPLATES = 64;

interface Template {
  bytes: Uint8Array;
  /** Where each trace and span id starts in the bytes. */
  ids: number[];
}

/** A synthetic request encoded once, with the offset of every id in it, so a client only patches and sends. */
function template(t: number): Template {
  const request = JSON.parse(generateOtlpLine(t, SPANS_PER_REQUEST)) as {
    resourceSpans: {scopeSpans: {spans: {traceId: string; spanId: string}[]}[]}[];
  };
  const values = new Set<string>();
  for (const rs of request.resourceSpans)
    for (const ss of rs.scopeSpans) for (const s of ss.spans) values.add(s.traceId).add(s.spanId);
  const bytes = encodeTraceRequest(request);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ids: number[] = [];
  for (const value of values) {
    const needle = Buffer.from(value, "hex");
    for (let at = view.indexOf(needle); at !== -1; at = view.indexOf(needle, at + 1)) ids.push(at);
  }
  return {bytes, ids};
}

/**
 * Request n: its template with the first three bytes of every id set to n, so every request's traces and spans are
 * new to the store (as an exporter's are) and the same n always gives the same bytes.
 */
function requestBody(templates: Template[], n: number): Uint8Array<ArrayBuffer> {
  const {bytes, ids} = templates[n % templates.length]!;
  const body = new Uint8Array(bytes);
  for (const at of ids) {
    body[at] = n >>> 16;
    body[at + 1] = (n >>> 8) & 0xff;
    body[at + 2] = n & 0xff;
  }
  return body;
}
const CLIENTS = 4;

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

/**
 * One request as the OpenTelemetry exporters for Node send it (otlp-exporter-base's `sendWithHttp`): `http.request`
 * through an agent that keeps connections alive, the answer's body read and dropped. `fetch` cost the clients two
 * to three times the CPU a request, taken from the receiver on a machine they share.
 */
function send(agent: Agent, port: number, body: Uint8Array, gzip: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = {
      "content-type": "application/x-protobuf",
      "content-length": String(body.byteLength),
      ...(gzip ? {"content-encoding": "gzip"} : {})
    };
    const sent = request({host: "127.0.0.1", port, path: "/v1/traces", method: "POST", agent, headers}, (response) => {
      response.on("data", () => {});
      response.on("end", () =>
        resolve({status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"]})
      );
      response.on("error", reject);
    });
    sent.on("error", reject);
    sent.end(body);
  });
}
const MAIN = join(ROOT, "loaders", "intake", "fixtures", "receiverMain.ts");

export interface IntakeBenchOptions {
  /** The receiver's process writes a CPU profile there (`node --cpu-prof`) when it exits. */
  profileDir?: string;
  /** Send gzip'd requests (`Content-Encoding: gzip`) rather than the exporters' default, uncompressed ones. */
  gzip?: boolean;
  /**
   * Another process reads the store this often while the clients send, as a page's data loader would: how long each
   * read waits for the store the catch-up holds.
   */
  readerEveryMs?: number;
}

const READER = join(ROOT, "loaders", "intake", "fixtures", "storeReader.ts");

export async function intakeBench(
  seconds = 20,
  {profileDir, gzip = false, readerEveryMs}: IntakeBenchOptions = {}
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-bench-intake-"));
  try {
    const workspace = join(dir, "ws");
    const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
    const child = spawn(process.execPath, [...profile, "--import", "tsx", MAIN, workspace], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"]
    });
    let output = "";
    child.stdout!.on("data", (data: Buffer) => void (output += data.toString()));
    const port = await new Promise<number>((resolve) => {
      const look = () => {
        const found = /listening (\d+)/.exec(output)?.[1];
        if (found) resolve(Number(found));
        else setTimeout(look, 20);
      };
      look();
    });
    const reader = readerEveryMs
      ? spawn(process.execPath, ["--import", "tsx", READER, workspace, String(readerEveryMs)], {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "inherit"]
        })
      : null;
    let read = "";
    reader?.stdout!.on("data", (data: Buffer) => void (read += data.toString()));
    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    const templates = Array.from({length: TEMPLATES}, (_, t) => template(t));
    const started = performance.now();
    const clientCpu = process.cpuUsage();
    const agent = new Agent({keepAlive: true});
    const until = started + seconds * 1000;
    // Requests answered 429 or 503 are sent again after the Retry-After the receiver asks for, as exporters do; only
    // acknowledged requests count, and only their latency (a refusal is answered at once and would flatter it).
    const statuses: Record<number, number> = {};
    const acked: number[] = [];
    const client = async () => {
      let n = next++;
      while (performance.now() < until) {
        const body = gzip ? gzipSync(requestBody(templates, n)) : requestBody(templates, n);
        const sent = performance.now();
        let response: Answer;
        try {
          response = await send(agent, port, body, gzip);
        } catch {
          // A kept-alive connection the server closed as it was reused: not acknowledged, as an exporter would see.
          failures++;
          continue;
        }
        if (response.status === 200) {
          latencies.push(performance.now() - sent);
          acked.push(n);
          n = next++;
        } else {
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          const wait = Number(response.retryAfter ?? 1) * 1000;
          await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, until - performance.now()))));
        }
      }
    };
    await Promise.all(Array.from({length: CLIENTS}, client));
    agent.destroy();
    if (reader) {
      reader.kill();
      await once(reader, "exit");
    }
    const readWaits = [...read.matchAll(/^read (\d+)/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    const readsFailed = [...read.matchAll(/^failed /gm)].length;
    for (const [line] of read.matchAll(/^failed .*/gm)) console.log(`a read of the store gave up: ${line}`);
    const refused = Object.values(statuses).reduce((sum, n) => sum + n, 0);
    const acknowledged = acked.length * SPANS_PER_REQUEST;
    const clientCpuUs = process.cpuUsage(clientCpu);
    const sendMs = performance.now() - started;
    child.kill("SIGTERM");
    await once(child, "exit");
    const totalMs = performance.now() - started;
    const peakRssMb = Number(/closed (\d+)/.exec(output)?.[1] ?? 0) / 2 ** 20;
    // RSS every 10 s while sending: flat memory means the last minute's peak is not above the second minute's.
    const samples = [...output.matchAll(/rss (\d+)/g)].map((m) => Number(m[1]) / 2 ** 20);
    const minutePeak = (from: number) => Math.max(0, ...samples.slice(from, from + 6));
    const stored = await withReadConnection(workspace, async (c) =>
      Number((await c.runAndReadAll("SELECT count(*) FROM spans")).getRows()[0]![0])
    );
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
    console.log(
      `receiver: ${acknowledged} acknowledged, ${stored} stored in ${(totalMs / 1000).toFixed(1)} s, p99 ${p99.toFixed(0)} ms, ` +
        `peak RSS ${peakRssMb.toFixed(0)} MB, RSS samples (MB): ${samples.map((m) => m.toFixed(0)).join(" ")}`
    );
    // The same requests as OTLP/JSON Lines through the file ingest, in this process (written after the sending, which
    // is timed; ten minutes' worth is more text than one string may hold).
    const requests = acked.length;
    const file = join(dir, "same.otlp.jsonl");
    const out = openSync(file, "w");
    for (const n of acked) writeSync(out, JSON.stringify(decodeWireRequest(requestBody(templates, n)).value) + "\n");
    closeSync(out);
    const fileStarted = performance.now();
    const fileCpu = process.cpuUsage();
    const fileFaults = process.resourceUsage().minorPageFault;
    await ingest({workspace: join(dir, "file-ws"), paths: [file]});
    const fileMs = performance.now() - fileStarted;
    const fileCpuUs = process.cpuUsage(fileCpu);
    const fileFaultsPerSpan = (process.resourceUsage().minorPageFault - fileFaults) / (requests * SPANS_PER_REQUEST);
    const receiverFaultsPerSpan = Number(/faults (\d+)/.exec(output)?.[1] ?? 0) / Math.max(1, stored);
    const receiverCpuUs = Number(/cpu (\d+)/.exec(output)?.[1] ?? 0);
    const merges = Number(/merges (\d+)/.exec(output)?.[1] ?? 0);
    const [loopP99Ms, loopMaxMs] = (/loop ([\d.]+) ([\d.]+)/.exec(output)?.slice(1) ?? ["0", "0"]).map(Number);
    const figures = {
      seconds,
      gzip: gzip ? 1 : 0,
      requests: latencies.length,
      failedRequests: failures,
      refusedRequests: refused,
      acknowledgedSpans: acknowledged,
      storedSpans: stored,
      acknowledgedPerSecond: acknowledged / (sendMs / 1000),
      sustainedPerSecond: stored / (totalMs / 1000),
      drainMs: totalMs - sendMs,
      merges,
      p50LatencyMs: latencies[Math.floor(latencies.length / 2)]!,
      p99LatencyMs: p99,
      peakRssMb,
      rssSecondMinuteMb: minutePeak(6),
      rssLastMinuteMb: minutePeak(Math.max(0, samples.length - 6)),
      fileIngestPerSecond: (requests * SPANS_PER_REQUEST) / (fileMs / 1000),
      eventLoopDelayP99Ms: loopP99Ms!,
      eventLoopDelayMaxMs: loopMaxMs!,
      receiverCpuUsPerSpan: receiverCpuUs / Math.max(1, stored),
      receiverFaultsPerSpan,
      fileFaultsPerSpan,
      clientCpuUsPerSpan: (clientCpuUs.user + clientCpuUs.system) / Math.max(1, acknowledged),
      fileCpuUsPerSpan: (fileCpuUs.user + fileCpuUs.system) / (requests * SPANS_PER_REQUEST),
      ...(reader
        ? {
            readerEveryMs: readerEveryMs!,
            reads: readWaits.length,
            readsFailed,
            readWaitP50Ms: readWaits[Math.floor(readWaits.length / 2)] ?? 0,
            readWaitMaxMs: readWaits.at(-1) ?? 0
          }
        : {})
    };
    console.log(
      table([
        [`live intake (512-span protobuf requests${gzip ? ", gzip'd" : ", uncompressed"}, 4 clients)`, "figure"],
        ["sending time", fmt.ms(sendMs)],
        ["spans acknowledged / stored", `${fmt.int(acknowledged)} / ${fmt.int(stored)}`],
        [
          "requests refused (429/503) and sent again after Retry-After",
          `${fmt.int(refused)}${
            refused
              ? ` (${Object.entries(statuses)
                  .map(([status, n]) => `${status}: ${n}`)
                  .join(", ")})`
              : ""
          }`
        ],
        ["acknowledged spans/s", fmt.int(figures.acknowledgedPerSecond)],
        ["sustained spans/s (until the store holds them)", fmt.int(figures.sustainedPerSecond)],
        ["store catch-up after the last request", fmt.ms(figures.drainMs)],
        ["store merges (mean spans a merge)", `${fmt.int(merges)} (${fmt.int(stored / Math.max(1, merges))})`],
        ["request latency p50 / p99", `${figures.p50LatencyMs.toFixed(0)} ms / ${p99.toFixed(0)} ms`],
        ["receiver peak RSS", fmt.mb(peakRssMb)],
        ["receiver's event loop delay p99 / longest", `${loopP99Ms!.toFixed(0)} ms / ${loopMaxMs!.toFixed(0)} ms`],
        ...(samples.length >= 12
          ? [
              [
                "RSS peak in the second minute / the last minute",
                `${fmt.mb(minutePeak(6))} / ${fmt.mb(minutePeak(samples.length - 6))}`
              ]
            ]
          : []),
        ["file ingest of the same spans, spans/s", fmt.int(figures.fileIngestPerSecond)],
        [
          "CPU per span: receiver / file ingest / the bench's clients",
          `${figures.receiverCpuUsPerSpan.toFixed(0)} µs / ${figures.fileCpuUsPerSpan.toFixed(0)} µs / ${figures.clientCpuUsPerSpan.toFixed(0)} µs`
        ],
        ...(reader
          ? [
              [
                `another process's reads of the store (every ${fmt.ms(readerEveryMs!)}): wait p50 / longest, gave up`,
                `${fmt.int(readWaits.length)} reads: ${fmt.ms(figures.readWaitP50Ms ?? 0)} / ${fmt.ms(figures.readWaitMaxMs ?? 0)}, ${readsFailed}`
              ]
            ]
          : []),
        [
          "page faults per span (memory touched afresh): receiver / file ingest",
          `${receiverFaultsPerSpan.toFixed(2)} / ${fileFaultsPerSpan.toFixed(2)}`
        ]
      ])
    );
    return figures;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
