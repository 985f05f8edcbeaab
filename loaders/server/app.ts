/**
 * @module The server's Hono app: the annotation API under `/api/`, other parts' routes mounted beside it, and
 * everything else handed to the page server (Framework's preview) behind the same origin and the same token.
 *
 * Every request passes, in order: the `Host` check (see hosts.ts), the token, the body size limit, and for the
 * API, the same-origin check on writes and the JSON-object check on bodies. Pages get the built site's
 * Content-Security-Policy as a header, with their own inline scripts pinned by hash.
 *
 * Other parts of Plumbline add write routes by passing `{path, app}` sub-apps (e.g. `{path: "/api/failure-modes",
 * app}`); they are mounted after these checks, so they are protected the same way.
 */
import {Hono} from "hono";
import {proxy} from "hono/proxy";
import {livePolicyForPage, withoutLiveEval} from "../site/csp.js";
import {agreementByCriterion} from "../../src/core/agreement/perCriterion.js";
import {itemsFor, queueProgress} from "../../src/core/queue/progress.js";
import {readQueues} from "../annotations/files.js";
import {AnnotationError, type AnnotationService} from "../annotations/service.js";
import {PAGES_SECRET_HEADER, requireToken} from "./auth.js";
import {DEFAULT_MAX_BODY_BYTES, jsonBody, limitBody, requireJsonObject, type JsonBodyEnv} from "./body.js";
import {hostAllowed, hostRefusal, namesFor, type HostPolicy} from "./hosts.js";

export interface SubApp {
  path: string;
  app: Hono;
}

export interface AppOptions {
  service: AnnotationService;
  /** Required for every request when set. */
  token?: string | null;
  /** Extra route modules, mounted under their paths. */
  subApps?: readonly SubApp[];
  /** Where pages come from (the preview server's origin); without it, only the API answers. */
  pagesOrigin?: string | null;
  /** The secret the page server requires on every request. */
  pagesSecret?: string | null;
  /** The names the server answers to; without it, any `Host` is served (for an app not bound to a socket). */
  hosts?: HostPolicy | null;
  /** The largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

/** Browsers send Origin on cross-site requests; a write from another site is refused even on loopback. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function createApp(options: AppOptions): Hono<JsonBodyEnv> {
  const {service} = options;
  const app = new Hono<JsonBodyEnv>();
  const hosts = options.hosts;
  if (hosts) {
    const names = namesFor(hosts);
    app.use("*", async (c, next) => {
      const host = c.req.header("host");
      if (!hostAllowed(host, hosts, names)) return c.json({error: hostRefusal(host)}, 403);
      await next();
    });
  }
  if (options.token) app.use("*", requireToken(options.token));
  app.use("*", limitBody(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  app.use("/api/*", async (c, next) => {
    if (
      c.req.method !== "GET" &&
      c.req.method !== "HEAD" &&
      !sameOrigin(c.req.header("origin"), c.req.header("host"))
    ) {
      return c.json({error: "cross-origin writes are refused"}, 403);
    }
    await next();
  });
  app.use("/api/*", requireJsonObject());
  app.onError((error, c) => {
    if (error instanceof AnnotationError) return c.json({error: error.message}, error.status);
    if (error instanceof SyntaxError) return c.json({error: `invalid JSON body: ${error.message}`}, 400);
    console.error(error);
    return c.json({error: "internal error; see the server's output"}, 500);
  });

  const api = new Hono<JsonBodyEnv>();
  api.get("/health", (c) => c.json({ok: true, logProblems: service.problems}));
  api.get("/state", (c) =>
    c.json({
      rubric: service.rubric(),
      failureModes: service.failureModes(),
      annotations: service.list(),
      queues: readQueues(service.workspace).queues,
      logProblems: service.problems
    })
  );
  api.get("/annotations", (c) =>
    c.json(service.list({traceId: c.req.query("traceId"), annotator: c.req.query("annotator")}))
  );
  api.post("/annotations", async (c) => c.json(await service.create(jsonBody(c)), 201));
  api.patch("/annotations/:id", async (c) => {
    const body = {...jsonBody(c)};
    const by = typeof body.by === "string" && body.by ? body.by : null;
    if (!by) throw new AnnotationError("an edit names who made it: send {by: <annotator>, …fields}");
    delete body.by;
    return c.json(await service.edit(c.req.param("id"), body, by));
  });
  api.delete("/annotations/:id", async (c) => {
    const by = c.req.query("by");
    if (!by) throw new AnnotationError("a delete names who made it: DELETE /api/annotations/<id>?by=<annotator>");
    await service.remove(c.req.param("id"), by);
    return c.body(null, 204);
  });
  api.post("/adjudications", async (c) => {
    const body = jsonBody(c);
    if (typeof body.adjudicator !== "string" || !body.adjudicator)
      throw new AnnotationError("an adjudication names its adjudicator");
    return c.json(await service.adjudicate(body, body.adjudicator), 201);
  });
  api.get("/queues/:id", (c) => {
    const queue = readQueues(service.workspace).queues.find((q) => q.id === c.req.param("id"));
    if (!queue)
      throw new AnnotationError(`no queue ${c.req.param("id")}; \`plumbline queue list\` shows the queues`, 404);
    const labels = service.list();
    const annotator = c.req.query("annotator");
    return c.json({
      queue,
      progress: queueProgress(queue, labels),
      todo: annotator ? itemsFor(queue, annotator, labels).map((i) => i.traceId) : null
    });
  });
  api.get("/agreement", (c) => {
    const labels = service.list().filter((a) => a.source === "reviewer" || a.source === "qa_review");
    return c.json(
      agreementByCriterion(
        labels.map((a) => ({
          traceId: a.traceId,
          criterion: a.criterion,
          annotator: a.annotator,
          value: a.pass ?? a.label ?? a.score
        }))
      )
    );
  });
  app.route("/api", api);
  for (const sub of options.subApps ?? []) app.route(sub.path, sub.app);
  app.all("/api/*", (c) => c.json({error: `no API route ${c.req.method} ${new URL(c.req.url).pathname}`}, 404));

  const origin = options.pagesOrigin;
  if (origin) {
    app.all("*", async (c) => {
      const url = new URL(c.req.url);
      const headers = {
        ...c.req.header(),
        authorization: undefined,
        cookie: undefined,
        [PAGES_SECRET_HEADER]: options.pagesSecret ?? undefined
      };
      const response = await proxy(`${origin}${url.pathname}${url.search}`, {...c.req, headers});
      // A 304 keeps the policy the browser stored with the page; a HEAD has no text to hash.
      if (
        response.status === 304 ||
        c.req.method === "HEAD" ||
        !/^text\/html\b/i.test(response.headers.get("content-type") ?? "")
      )
        return response;
      // The policy pins the page's inline scripts by hash, so it is computed from the exact text sent.
      const html = withoutLiveEval(await response.text());
      const pageHeaders = new Headers(response.headers);
      pageHeaders.delete("content-length");
      pageHeaders.set("content-security-policy", livePolicyForPage(html, c.req.header("host") ?? ""));
      return new Response(html, {status: response.status, statusText: response.statusText, headers: pageHeaders});
    });
  }
  return app;
}
