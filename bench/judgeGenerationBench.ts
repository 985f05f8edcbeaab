/**
 * @module The judge-generation benchmark: the prompt-evolution loop's own cost (instant judge and reflection,
 * 1,000 training examples, many candidates on the frontier), and a whole `generateJudge` run through the local
 * OpenAI-compatible server answering after a fixed 50 ms, where the steps' round trips set the wall time.
 */
import {evolvePrompt, type JudgeOutcome} from "../src/core/generate/promptEvolution.js";
import {shortHash} from "../src/core/clusters/hash.js";
import {splitExamples, type LabelledExample} from "../src/core/generate/examples.js";
import {chatCompletion, startFakeOpenAI} from "../loaders/judge/fakeOpenAI.js";
import {generateJudge, type JudgeOptimization} from "../loaders/generate/judgeOptimizer.js";
import {fmt, table} from "./run.js";

/** A prompt's skill is the number it ends with; it is right on an example when a hash of both falls below it. */
const skill = (prompt: string) => Number(/(\d+)\s*$/.exec(prompt.replace(/\{\{trace\}\}/g, ""))?.[1] ?? 50) / 100;
const right = (prompt: string, id: string) =>
  parseInt(shortHash(`${prompt}\u0000${id}`).slice(0, 8), 16) / 0xffffffff < skill(prompt);

async function loopFigures() {
  const train = Array.from({length: 1000}, (_, i) => ({
    traceId: `t${i}`,
    outcome: (i % 4 === 0 ? "fail" : "pass") as "fail" | "pass"
  }));
  let proposals = 0;
  const started = performance.now();
  const result = await evolvePrompt({
    seedPrompt: "Judge {{trace}} 50",
    train,
    budget: 20_000,
    seed: 1,
    async evaluate(prompt, examples) {
      const results: JudgeOutcome[] = examples.map((e) => {
        const ok = right(prompt, e.traceId);
        return {verdict: ok ? e.outcome : e.outcome === "fail" ? "pass" : "fail", reasoning: ""};
      });
      return {results, calls: examples.length};
    },
    async reflect({prompt}) {
      // Each proposal is a little better or worse than its parent, so many survive on the frontier.
      const next = Math.min(99, Math.max(1, Math.round(skill(prompt) * 100 + ((proposals++ * 7919) % 11) - 4)));
      return {ok: true, prompt: `Judge {{trace}} v${proposals} ${next}`, rationale: ""};
    },
    validate: () => null
  });
  const ms = performance.now() - started;
  return {
    ms,
    calls: result.calls.total,
    candidates: result.candidates.length,
    frontier: result.frontier.length,
    steps: result.history.length,
    bestSkill: skill(result.candidates[result.best]!.prompt)
  };
}

function example(i: number): LabelledExample {
  const cancels = i % 3 !== 0;
  const agreed = i % 2 === 0;
  const messages = [
    {role: "user", content: cancels ? `Please cancel reservation R${i}.` : "Find me a flight to Boston."},
    {role: "assistant", content: cancels ? "Shall I go ahead?" : "There is a 9:05 flight."},
    {role: "user", content: agreed ? "yes" : "whatever"}
  ];
  const toolCalls = cancels ? [{name: "cancel_reservation", arguments: "{}", result: "{}", success: true}] : [];
  return {
    traceId: `trace-${i}`,
    outcome: cancels && !agreed ? "fail" : "pass",
    explanation: "scripted",
    rule: {status: "ok", fields: {}, messages: messages.map((m) => ({...m, direction: "input"})), spans: [], toolCalls},
    trace: {messages, toolCalls}
  };
}

async function endToEndFigures(latencyMs: number, concurrency: number) {
  const server = await startFakeOpenAI({latencyMs});
  let reflections = 0;
  server.respondWith("chat", (request) => {
    const messages = request.body.messages as {role: string; content: string}[];
    if (request.body.model === "reflector") {
      const n = reflections++;
      const prompt =
        n === 5
          ? "Fail only a cancellation without the user's confirmation (a yes).\n\n{{trace}}"
          : `Variant ${n}: does this show {{failure_mode}}?\n\n{{trace}}`;
      return chatCompletion(JSON.stringify({prompt, rationale: "scripted"}));
    }
    const user = messages.find((m) => m.role === "user")!.content;
    const cancels = user.includes("cancel_reservation(");
    const failed = user.includes("confirmation") ? cancels && !/\[user\]\nyes/.test(user) : cancels;
    return chatCompletion(JSON.stringify({reasoning: "r", verdict: failed ? "fail" : "pass"}));
  });
  try {
    let optimization: JudgeOptimization | undefined;
    const started = performance.now();
    await generateJudge({
      examples: splitExamples(
        Array.from({length: 200}, (_, i) => example(i)),
        {heldOut: 0.3, seed: 1}
      ),
      failureMode: "cancels without a yes",
      criterion: "policy",
      model: "judge",
      reflectionModel: "reflector",
      env: {OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "bench"},
      budget: 600,
      concurrency,
      onResult: (o) => (optimization = o)
    });
    const ms = performance.now() - started;
    const o = optimization!;
    return {
      ms,
      calls: o.calls,
      steps: o.history.length,
      candidates: o.candidates.length,
      mcc: o.bestHeldOut.mcc,
      seedMcc: o.seedHeldOut.mcc,
      stopped: o.stopped
    };
  } finally {
    await server.close();
  }
}

export async function judgeGenerationBench() {
  const loop = await loopFigures();
  console.log(
    table([
      ["prompt-evolution loop, instant judge and reflection", "figure"],
      ["1,000 training examples, Pareto set 40, minibatch 3, budget 20,000 calls", fmt.ms(loop.ms)],
      [
        "calls made / steps / candidates kept / on the frontier",
        `${fmt.int(loop.calls)} / ${fmt.int(loop.steps)} / ${loop.candidates} / ${loop.frontier}`
      ],
      ["loop time per call", `${((loop.ms * 1000) / loop.calls).toFixed(1)} µs`],
      ["best candidate's skill (seed 0.50)", loop.bestSkill.toFixed(2)]
    ])
  );
  const endToEnd = [];
  for (const concurrency of [1, 8]) endToEnd.push({concurrency, ...(await endToEndFigures(50, concurrency))});
  console.log(
    "\n" +
      table([
        [
          "generateJudge, server answering after 50 ms, 200 examples, budget 600",
          "concurrency",
          "wall",
          "calls (judge + reflection + held-out)",
          "steps",
          "stopped",
          "held-out MCC best / seed"
        ],
        ...endToEnd.map((e) => [
          "",
          String(e.concurrency),
          fmt.ms(e.ms),
          `${e.calls.total} (${e.calls.judge} + ${e.calls.reflection} + ${e.calls.heldOut})`,
          String(e.steps),
          e.stopped,
          `${e.mcc?.toFixed(3)} / ${e.seedMcc?.toFixed(3)}`
        ])
      ])
  );
  return {loop, endToEnd};
}
