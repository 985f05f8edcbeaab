/**
 * @module The failure-mode registry's JSON routes, a Hono sub-app for the API server to mount (at
 * `/api/failure-modes`). The same writes as `plumbline failure-mode promote|set-state`; bodies are checked with
 * zod, and a refused request answers 400 with the reason.
 */
import {Hono} from "hono";
import {z} from "zod";
import {FailureModeNameSchema, FailureModeStateSchema} from "../../src/core/schemas/failureMode.js";
import {FailureModeError, listModes, promote, setState} from "./actions.js";
import type {TrendThresholds} from "../../src/core/failureModes/trends.js";
import {issueText} from "../../src/core/schemas/issues.js";

const PromoteBodySchema = z.object({
  name: FailureModeNameSchema,
  description: z.string().max(4000).nullish(),
  clusterId: z.string().min(1).nullish()
});

const StateBodySchema = z.object({
  name: FailureModeNameSchema,
  state: FailureModeStateSchema,
  note: z.string().max(4000).nullish()
});

export interface FailureModeRouteOptions {
  workspace: string;
  /** The clock; tests pass a fixed one. */
  now?: () => number;
  evaluatorsDir?: string;
  thresholds?: TrendThresholds;
}

export function failureModeRoutes(options: FailureModeRouteOptions): Hono {
  const app = new Hono();
  const context = () => ({
    workspace: options.workspace,
    now: (options.now ?? Date.now)(),
    ...(options.evaluatorsDir ? {evaluatorsDir: options.evaluatorsDir} : {}),
    ...(options.thresholds ? {thresholds: options.thresholds} : {})
  });
  const body = async <T>(request: Request, schema: z.ZodType<T>): Promise<T> => {
    let json: unknown;
    try {
      json = await request.json();
    } catch {
      throw new FailureModeError("the request body must be JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new FailureModeError(issueText(parsed.error, "body"));
    return parsed.data;
  };
  app.onError((error, c) => {
    if (error instanceof FailureModeError) return c.json({error: error.message}, 400);
    return c.json({error: "the failure-mode registry could not handle this request"}, 500);
  });
  app.get("/", async (c) => c.json(await listModes(context())));
  app.post("/promote", async (c) => {
    const request = await body(c.req.raw, PromoteBodySchema);
    const mode = await promote(context(), {
      name: request.name,
      description: request.description ?? null,
      clusterId: request.clusterId ?? null
    });
    return c.json({mode}, 201);
  });
  app.post("/state", async (c) => {
    const request = await body(c.req.raw, StateBodySchema);
    return c.json({
      mode: await setState(context(), {name: request.name, state: request.state, note: request.note ?? null})
    });
  });
  return app;
}
