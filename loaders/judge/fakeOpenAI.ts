/**
 * @module A local OpenAI-compatible HTTP server for tests and benchmarks: `/v1/chat/completions` and
 * `/v1/embeddings` on 127.0.0.1, with responses scripted per request, so the real `openai` client is driven
 * through real HTTP, faults included (429 with Retry-After, 5xx, slow answers, malformed bodies).
 *
 * A test either queues one-off responses (`enqueue`) or installs a function that answers every request
 * (`respondWith`); queued responses win. Without either, chat answers with `defaultChatContent` and embeddings
 * with deterministic vectors derived from the text.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from "node:http";
import type {AddressInfo} from "node:net";
import {createHash} from "node:crypto";

export type Endpoint = "chat" | "embeddings";

export interface FakeRequest {
  endpoint: Endpoint;
  path: string;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** Whether an `Authorization: Bearer …` header came with it (the key itself is not kept). */
  authorized: boolean;
  /** Zero-based count of requests to this endpoint before this one. */
  index: number;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body; ignored when `raw` is set. */
  json?: unknown;
  /** A raw body, for malformed answers. */
  raw?: string;
  /** Wait this long before answering (a slow server or a timeout). */
  delayMs?: number;
}

export type Responder = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeOpenAI {
  /** The base URL for the client, ending in `/v1`. */
  baseURL: string;
  requests: FakeRequest[];
  enqueue(endpoint: Endpoint, ...responses: FakeResponse[]): void;
  respondWith(endpoint: Endpoint, responder: Responder | null): void;
  /** Requests currently being answered, and the most seen at once. */
  inFlight(): number;
  maxInFlight(): number;
  /** TCP connections accepted so far: a keep-alive client makes one per concurrent call, not one per call. */
  connections(): number;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** The chat answer when nothing is scripted. */
  defaultChatContent?: string;
  /** Added to every answer, scripted or not (a fixed server latency). */
  latencyMs?: number;
  embeddingDimensions?: number;
}

/** A chat completion body with `content` as the assistant's message. */
export function chatCompletion(
  content: string,
  usage = {prompt_tokens: 100, completion_tokens: 20},
  model = "fake-judge"
): FakeResponse {
  return {
    json: {
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 0,
      model,
      choices: [
        {index: 0, message: {role: "assistant", content, refusal: null}, finish_reason: "stop", logprobs: null}
      ],
      usage: {...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens}
    }
  };
}

/** An OpenAI-style error body with `status`. */
export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers,
    json: {error: {message, type: status === 429 ? "rate_limit_exceeded" : "server_error", code: null}}
  };
}

/** A deterministic unit vector for `text`: the same text always embeds the same way. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const out: number[] = [];
  let block = createHash("sha256").update(text).digest();
  for (let i = 0; out.length < dimensions; i++) {
    if (i > 0 && i % 8 === 0) block = createHash("sha256").update(block).digest();
    out.push(block.readInt32LE((i % 8) * 4) / 2 ** 31);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((x) => x / norm);
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queues: Record<Endpoint, FakeResponse[]> = {chat: [], embeddings: []};
  const responders: Record<Endpoint, Responder | null> = {chat: null, embeddings: null};
  const counts: Record<Endpoint, number> = {chat: 0, embeddings: 0};
  const requests: FakeRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let connections = 0;
  const dimensions = options.embeddingDimensions ?? 64;

  const defaults: Record<Endpoint, Responder> = {
    chat: () =>
      chatCompletion(
        options.defaultChatContent ?? JSON.stringify({reasoning: "Nothing wrong found.", verdict: "pass"})
      ),
    embeddings: ({body}) => {
      const input = body.input;
      const texts = Array.isArray(input) ? input.map(String) : [String(input ?? "")];
      return {
        json: {
          object: "list",
          model: body.model ?? "fake-embedding",
          // The openai client asks for base64 (little-endian float32) unless told otherwise, and decodes it.
          data: texts.map((text, index) => {
            const vector = fakeEmbedding(text, dimensions);
            const embedding =
              body.encoding_format === "base64"
                ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
                : vector;
            return {object: "embedding", index, embedding};
          }),
          usage: {prompt_tokens: texts.reduce((s, t) => s + Math.ceil(t.length / 4), 0), total_tokens: 0}
        }
      };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const path = (req.url ?? "").split("?")[0]!;
      const endpoint: Endpoint | null = path.endsWith("/chat/completions")
        ? "chat"
        : path.endsWith("/embeddings")
          ? "embeddings"
          : null;
      if (req.method !== "POST" || endpoint === null) {
        res
          .writeHead(404, {"content-type": "application/json"})
          .end(JSON.stringify({error: {message: `no route ${req.method} ${path}`}}));
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        res
          .writeHead(400, {"content-type": "application/json"})
          .end(JSON.stringify({error: {message: "the request body is not JSON"}}));
        return;
      }
      const request: FakeRequest = {
        endpoint,
        path,
        body,
        authorized: /^Bearer \S+/.test(req.headers.authorization ?? ""),
        index: counts[endpoint]++
      };
      requests.push(request);
      const response = queues[endpoint].shift() ?? (await (responders[endpoint] ?? defaults[endpoint])(request));
      const delay = (response.delayMs ?? 0) + (options.latencyMs ?? 0);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (res.destroyed || req.socket.destroyed) return;
      const text = response.raw ?? JSON.stringify(response.json ?? {});
      res.writeHead(response.status ?? 200, {"content-type": "application/json", ...response.headers}).end(text);
    } finally {
      inFlight--;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(JSON.stringify({error: {message: String(error)}}));
    });
  });
  // Long enough that clients keep connections: Node's agent drops a socket whose server hints `timeout=1`
  // (it keeps a socket for the hint less one second), which made every call a new connection.
  server.keepAliveTimeout = 10_000;
  server.on("connection", () => void connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const {port} = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (endpoint, ...responses) => void queues[endpoint].push(...responses),
    respondWith: (endpoint, responder) => void (responders[endpoint] = responder),
    inFlight: () => inFlight,
    connections: () => connections,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
