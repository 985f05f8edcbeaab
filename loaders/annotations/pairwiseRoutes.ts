/**
 * @module `/api/pairwise`: the Pairwise review page's reads and writes, a Hono sub-app the server mounts after its
 * token, Host, same-origin and JSON-body checks. A choice is appended to the pairwise log and on disk before the
 * answer goes out.
 */
import {Hono} from "hono";
import {pairExperiments} from "../../src/core/pairwise/review.js";
import type {PairwiseReview} from "./pairwiseLog.js";

export function pairwiseRoutes(review: PairwiseReview): Hono {
  const app = new Hono();
  // GET /api/pairwise?experiments=a,b: the choices that count on that pair of experiments (all of them without).
  app.get("/", (c) => {
    const named = (c.req.query("experiments") ?? "").split(",").filter(Boolean);
    if (named.length !== 0 && named.length !== 2)
      return c.json({error: "name two experiments: ?experiments=<a>,<b>"}, 400);
    const experiments = named.length === 2 ? pairExperiments(named[0]!, named[1]!) : undefined;
    return c.json({choices: review.current(experiments), logProblems: review.problems});
  });
  // The server's JSON-object check has read and refused anything but an object before this runs.
  app.post("/", async (c) => c.json(await review.choose(await c.req.json()), 201));
  return app;
}
