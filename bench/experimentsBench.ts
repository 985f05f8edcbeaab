/**
 * @module The experiment runner's throughput against the local OpenAI-compatible server (in its own process,
 * answering every call after 50 ms): a prompt-spec task over generated cases at concurrency 1, 8 and 32, next to
 * the ideal (concurrency ÷ latency) and to bare HTTP at the same concurrency, as the judge runner's row does.
 */
import type {DatasetCase} from "../src/core/schemas/dataset.js";
import {memoryExperimentStore, runExperiment} from "../loaders/experiments/runner.js";
import {promptTask} from "../loaders/experiments/promptTask.js";
import {rawHttpRate, serverProcess} from "./calibrationBench.js";
import {fmt, table} from "./run.js";

function cases(n: number, tag: string): DatasetCase[] {
  return Array.from({length: n}, (_, i) => ({
    format: 1 as const,
    caseId: `case-${tag}-${i}`,
    input: `I need to change my flight ${tag}-${i}.`,
    context: {
      status: "ok" as const,
      fields: {},
      messages: [{role: "user", direction: "input", content: `I need to change my flight ${tag}-${i}.`}],
      toolCalls: [],
      spans: []
    },
    expectedOutput: null,
    expectedBehaviour: null,
    failureMode: null,
    criterion: null,
    kind: "regression" as const,
    sourceTraceId: null,
    addedBy: "bench",
    reason: "",
    addedAt: "2026-12-01T00:00:00.000Z"
  }));
}

export async function experimentsBench() {
  const latencyMs = 50;
  const server = await serverProcess(latencyMs);
  const rows: {
    concurrency: number;
    cases: number;
    seconds: number;
    casesPerSecond: number;
    ideal: number;
    ofIdeal: number;
    runnerCpuMsPerCase: number;
    rawHttpPerSecond: number;
  }[] = [];
  try {
    // A short run first, so the figures measure warm code rather than the JIT compiling the client and runner.
    for (const concurrency of [0, 1, 8, 32]) {
      const warmUp = concurrency === 0;
      const n = warmUp ? 200 : Math.max(40, concurrency * 40);
      const task = promptTask({
        spec: {
          format: 1,
          id: "bench",
          version: 1,
          model: "m",
          temperature: 0,
          maxTokens: 64,
          messages: [
            {role: "system", content: "You are an airline agent."},
            {role: "user", content: "{{input}}"}
          ],
          tools: []
        },
        specHash: `bench-${concurrency}`,
        path: "bench.json",
        baseURL: server.baseURL,
        apiKey: "bench",
        price: {input: 1, output: 1},
        timeoutMs: 60_000,
        gitCommit: null
      });
      const started = performance.now();
      const cpu = process.cpuUsage();
      const summary = await runExperiment({
        experiment: `bench-${concurrency}`,
        cases: cases(n, String(concurrency)),
        task,
        store: memoryExperimentStore(),
        concurrency: warmUp ? 16 : concurrency,
        retry: {maxAttempts: 1}
      });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      if (summary.errors) throw new Error(`${summary.errors} errors at concurrency ${concurrency}`);
      if (warmUp) continue;
      const ideal = concurrency / (latencyMs / 1000);
      rows.push({
        concurrency,
        cases: n,
        seconds,
        casesPerSecond: n / seconds,
        ideal,
        ofIdeal: n / seconds / ideal,
        runnerCpuMsPerCase: (used.user + used.system) / 1000 / n,
        rawHttpPerSecond: await rawHttpRate(server.baseURL, concurrency, n)
      });
    }
  } finally {
    server.close();
  }
  console.log(
    table([
      ["experiments", "figure"],
      ...rows.map((r) => [
        `experiment run (prompt spec), concurrency ${r.concurrency}, ${fmt.int(r.cases)} cases at ${latencyMs} ms: cases/s (ideal ${r.ideal})`,
        `${r.casesPerSecond.toFixed(1)} (${(r.ofIdeal * 100).toFixed(1)} % of ideal; bare HTTP ${r.rawHttpPerSecond.toFixed(1)}; runner CPU ${r.runnerCpuMsPerCase.toFixed(2)} ms/case)`
      ])
    ])
  );
  return {latencyMs, rows};
}
