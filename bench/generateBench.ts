/**
 * @module The generate benchmark: rule induction (mining, runtime verification, beam search and the
 * cross-validation that sizes the rule) on 1,000 synthetic but realistic annotated airline-support traces, then the
 * held-out measurement, as `plumbline generate --method rule` runs it minus the store read.
 *
 * Each trace has the τ-bench airline policy as its system prompt, 4–14 user/assistant turns drawn from templates
 * with random names, dates and amounts, and tool calls with JSON results (flight lists of 1–8 flights, some
 * answering "Error: …"). The annotated failure mode, "refund promised without a refund call", holds when the agent
 * tells the user a refund is processed and no `issue_refund` call succeeded; 4 % of labels are flipped, as
 * annotators disagree. Traces that mention refunds in other ways, or refund with a call, pass.
 */
import {seededRandom, type Random} from "../src/core/calibration/rng.js";
import {mcc} from "../src/core/calibration/judgeAgreement.js";
import type {RuleContext} from "../src/core/evaluator/rule.js";
import {splitExamples, type LabelledExample} from "../src/core/generate/examples.js";
import {generateRuleSpec} from "../src/core/generate/ruleSpec.js";
import {readSharedText} from "../loaders/fixtures/sharedData.js";
import {fmt, table} from "./run.js";

const TRACES = 1000;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const names = ["Mia Li", "Omar Khan", "Sofia Rossi", "Yusuf Ahmed", "Ana Silva", "Chen Wei", "Lena Berg", "Raj Patel"];
const cities = ["JFK", "SEA", "ORD", "LAX", "ATL", "DFW", "BOS", "MIA", "SFO", "DEN"];
const userLines = [
  "Hi, I need to change my flight from {a} to {b} on May {d}.",
  "My reservation {r} was cancelled and I want my money back.",
  "Can you check the baggage allowance on {r}?",
  "I would like to book a one-way trip from {a} to {b}.",
  "Please cancel reservation {r}, I can no longer travel.",
  "I was charged ${n} twice, can you fix it?",
  "Yes, please go ahead.",
  "My user id is {u}.",
  "What is the status of flight HAT{n}?",
  "Thanks, that's all."
];
const assistantLines = [
  "I can help with that. Could you give me your user id?",
  "I found reservation {r}, from {a} to {b}, in economy.",
  "Here are the available flights from {a} to {b} on May {d}.",
  "Before I proceed, please confirm: cancel reservation {r} (yes/no)?",
  "Your booking has been updated; the new total is ${n}.",
  "I'm sorry, basic economy tickets cannot be modified.",
  "Is there anything else I can help you with?",
  "I will transfer you to a human agent who can help further."
];
const promises = [
  "Your refund of ${n} has been processed and will reach your card in 5 to 7 days.",
  "I have issued a refund of ${n} to your original payment method."
];
const refundTalk = [
  "Refunds for basic economy are not possible under our policy.",
  "A refund request needs the reservation to be cancelled first."
];

function fill(random: Random, line: string): string {
  return line
    .replace("{a}", pick(random, cities))
    .replace("{b}", pick(random, cities))
    .replace("{d}", String(1 + Math.floor(random() * 28)))
    .replace(
      "{r}",
      Math.floor(random() * 36 ** 6)
        .toString(36)
        .toUpperCase()
        .padStart(6, "0")
    )
    .replace("{n}", String(50 + Math.floor(random() * 900)))
    .replace("{u}", `${pick(random, names).toLowerCase().replace(" ", "_")}_${Math.floor(random() * 9000 + 1000)}`);
}

function flights(random: Random): string {
  return JSON.stringify(
    Array.from({length: 1 + Math.floor(random() * 8)}, () => ({
      flight_number: `HAT${Math.floor(random() * 300)}`,
      origin: pick(random, cities),
      destination: pick(random, cities),
      status: "available",
      available_seats: {
        basic_economy: Math.floor(random() * 20),
        economy: Math.floor(random() * 20),
        business: Math.floor(random() * 10)
      },
      prices: {
        basic_economy: 50 + Math.floor(random() * 100),
        economy: 100 + Math.floor(random() * 200),
        business: 200 + Math.floor(random() * 400)
      }
    }))
  );
}

export function syntheticExamples(n: number, seed = 7): LabelledExample[] {
  const random = seededRandom(seed);
  const policy = readSharedText("tau-bench-airline", "policy.md");
  return Array.from({length: n}, (_, i) => {
    const messages: RuleContext["messages"][number][] = [{role: "system", direction: "transcript", content: policy}];
    const toolCalls: RuleContext["toolCalls"][number][] = [];
    const say = (role: string, content: string) => messages.push({role, direction: "transcript", content});
    const call = (name: string, result: string) => {
      const success = !result.startsWith("Error:");
      toolCalls.push({name, arguments: JSON.stringify({reservation_id: fill(random, "{r}")}), result, success});
      say("tool", result);
    };
    const turns = 4 + Math.floor(random() * 11);
    const refundCase = random() < 0.35;
    const promised = refundCase && random() < 0.6;
    const refundCall = refundCase && random() < 0.5;
    const refundCallFails = refundCall && random() < 0.3;
    for (let t = 0; t < turns; t++) {
      say("user", fill(random, pick(random, userLines)));
      if (random() < 0.4)
        call(
          pick(random, ["search_direct_flight", "search_onestop_flight"]),
          random() < 0.08 ? "Error: flight not available on this date" : flights(random)
        );
      if (random() < 0.3)
        call(
          "get_reservation_details",
          JSON.stringify({
            reservation_id: fill(random, "{r}"),
            cabin: pick(random, ["basic_economy", "economy", "business"]),
            total: Math.floor(random() * 900)
          })
        );
      if (random() < 0.1)
        call("book_reservation", random() < 0.3 ? "Error: payment amount does not add up" : '{"status": "confirmed"}');
      if (refundCase && t === turns - 2) {
        if (refundCall)
          call("issue_refund", refundCallFails ? "Error: refund exceeds the amount paid" : '{"status": "refunded"}');
        say("assistant", fill(random, promised ? pick(random, promises) : pick(random, refundTalk)));
      } else say("assistant", fill(random, pick(random, assistantLines)));
    }
    const fail = promised && (!refundCall || refundCallFails);
    const outcome = (random() < 0.04 ? !fail : fail) ? "fail" : "pass";
    const model = pick(random, ["gpt-4o", "gpt-4o-mini", "llama-3.1-70b"]);
    const rule: RuleContext = {
      status: toolCalls.some((c) => !c.success) ? "error" : "ok",
      fields: {
        message_count: messages.length,
        tool_call_count: toolCalls.length,
        tool_error_count: toolCalls.filter((c) => !c.success).length,
        span_count: 1 + toolCalls.length
      },
      messages,
      spans: [
        {name: "airline agent", kind: "agent", attributes: {"gen_ai.request.model": model}},
        ...toolCalls.map((c) => ({name: c.name, kind: "tool", attributes: {}}))
      ],
      toolCalls
    };
    return {traceId: `synthetic-${i}`, outcome, explanation: null, rule, trace: {messages, toolCalls}};
  });
}

export async function generateBench() {
  const examples = syntheticExamples(TRACES);
  const fails = examples.filter((e) => e.outcome === "fail").length;
  const split = splitExamples(examples, {heldOut: 0.3, seed: 1});
  const started = performance.now();
  const generated = generateRuleSpec(split, {
    id: "refund-promised",
    failureMode: "refund promised without a refund call",
    criterion: "overall",
    labels: "synthetic",
    measuredAt: new Date().toISOString()
  });
  const ms = performance.now() - started;
  const heldOut = mcc(generated.heldOut);
  const rule = generated.rule;
  console.log(
    table([
      ["figure", "value"],
      ["traces (fail / pass)", `${fmt.int(TRACES)} (${fails} / ${TRACES - fails})`],
      ["train / held-out", `${split.train.length} / ${split.heldOut.length}`],
      ["induction + held-out measurement", fmt.ms(ms)],
      ["features mined / kept", `${rule.features.mined} / ${rule.features.verified}`],
      ["candidate rules scored", fmt.int(rule.candidatesConsidered)],
      ["train MCC", rule.trainMcc?.toFixed(3) ?? "undefined"],
      ["held-out MCC", "value" in heldOut ? heldOut.value.toFixed(3) : heldOut.undefined]
    ])
  );
  console.log(`rule: fails when ${rule.description}`);
  return {
    traces: TRACES,
    fails,
    ms,
    trainMcc: rule.trainMcc,
    heldOutMcc: "value" in heldOut ? heldOut.value : null,
    rule: rule.description,
    candidates: rule.candidatesConsidered,
    features: rule.features
  };
}
