import assert from "node:assert/strict";
import {test} from "node:test";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {startServer} from "../server/serve.js";
import {withReadConnection} from "../store/db.js";
import {commandTask} from "./commandTask.js";
import {OTLP_TASK, tauCases} from "./fixtures.js";
import {runExperiment} from "./runner.js";
import {workspaceExperimentStore} from "./store.js";
import {caseLink} from "./task.js";

const TOKEN = "experiment-otlp-token";

test("spans a task exports with the real OpenTelemetry exporter to Plumbline's receiver join its case's trace", async (t) => {
  const workspace = tempDir("experiment-otlp");
  const server = await startServer({workspace, host: "127.0.0.1", port: 0, otlpPort: 0, token: TOKEN, pages: false});
  t.after(async () => {
    await server.close();
    removeTempDir(workspace);
  });
  const cases = tauCases(2);
  const summary = await runExperiment({
    experiment: "otlp",
    cases,
    task: commandTask({
      command: `${JSON.stringify(process.execPath)} ${JSON.stringify(OTLP_TASK)}`,
      env: {
        PATH: process.env.PATH ?? "",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${server.otlpPort}/v1/traces`,
        PLUMBLINE_TOKEN: TOKEN
      },
      gitCommit: null
    }),
    store: workspaceExperimentStore(workspace),
    concurrency: 2
  });
  assert.equal(summary.ok, 2);
  await server.receiver.flush();
  const rows = await withReadConnection(workspace, async (c) =>
    (
      await c.runAndReadAll(
        `SELECT t.trace_id, t.format, t.source_file, t.span_count, t.model, t.input_tokens,
           t.metadata->>'plumbline.case_id' AS case_id,
           (SELECT parent_span_id FROM spans s WHERE s.trace_id = t.trace_id AND s.kind = 'llm') AS llm_parent
         FROM traces t ORDER BY case_id`
      )
    ).getRowObjectsJson()
  );
  assert.deepEqual(
    rows,
    cases
      .map((c) => caseLink("otlp", c.caseId))
      .sort((a, b) => a.caseId.localeCompare(b.caseId))
      .map((link) => ({
        trace_id: link.traceId,
        format: "experiment",
        source_file: "experiment:otlp",
        span_count: 2,
        model: "gpt-4o-mini",
        input_tokens: "21",
        case_id: link.caseId,
        llm_parent: link.rootSpanId
      }))
  );
});
