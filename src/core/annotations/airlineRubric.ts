/**
 * @module The demo workspace's rubric, written for its τ-bench runs: a customer-service agent for an airline that
 * must follow the booking policy and call its tools with the right arguments. `plumbline demo` writes it; any
 * other workspace starts with the generic DEFAULT_RUBRIC.
 */
import type {Rubric} from "../schemas/rubric.js";

export const AIRLINE_RUBRIC: Rubric = {
  version: 2,
  revision: 1,
  name: "Airline agent",
  criteria: [
    {
      id: "overall",
      kind: "boolean",
      owner: null,
      question: "Did the agent resolve the user's request correctly and safely?"
    },
    {
      id: "policy_followed",
      kind: "boolean",
      owner: null,
      question:
        "Did the agent follow the airline policy (eligibility, confirmation before changes, no invented exceptions)?"
    },
    {
      id: "tool_arguments",
      kind: "boolean",
      owner: null,
      question: "Did every tool call use the right tool with the right arguments (ids, dates, cabin, payment method)?"
    },
    {
      id: "user_confirmation",
      kind: "boolean",
      owner: null,
      question: "Did the agent obtain explicit confirmation before any booking, change or cancellation?"
    },
    {
      id: "resolution",
      kind: "categorical",
      owner: null,
      question: "How did the conversation end?",
      options: ["resolved", "partially_resolved", "transferred", "unresolved"],
      failing: ["unresolved"]
    },
    {
      id: "helpfulness",
      kind: "numeric",
      owner: null,
      question: "How helpful was the agent, 1 (useless) to 5 (excellent)?",
      min: 1,
      max: 5,
      passAtLeast: 3
    },
    {id: "notes", kind: "text", owner: null, question: "Anything else a reviewer should know?"}
  ],
  failureModes: [
    {
      name: "policy_violation",
      description: "Acted against the airline policy, e.g. changed a basic-economy booking.",
      severity: "critical"
    },
    {
      name: "wrong_tool_arguments",
      description: "Called a tool with a wrong id, date, cabin or amount.",
      severity: "high"
    },
    {name: "missing_confirmation", description: "Made a change without the user's explicit yes.", severity: "high"},
    {
      name: "hallucinated_fact",
      description: "Stated a price, rule or reservation detail not in the tool results.",
      severity: "high"
    },
    {
      name: "premature_transfer",
      description: "Handed over to a human when the request could be served.",
      severity: "medium"
    },
    {name: "incomplete_task", description: "Stopped before doing everything the user asked.", severity: "medium"}
  ]
};
