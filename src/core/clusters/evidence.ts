/**
 * @module The evidence of what went wrong in one flagged trace, as text: error messages and failed tool results,
 * the agent that acted just before the first failure, the turns around that failure (each under its speaker's
 * name), the final answer and who gave it, annotators' explanations and failure modes, and the reasoning of judges
 * that failed it. Semantic clusters are made of this, not of what users asked about, so that they gather traces
 * that failed alike; what a trace is about stays a second lens (`traceTokens`).
 */
import {failureTemplate} from "./signature.js";
import {tokenize} from "./tfidf.js";

/** One message near the first failure: who spoke (an agent's name, else the role) and what was said. */
export interface AroundMessage {
  speaker: string;
  text: string;
}

export interface TraceEvidence {
  /** Failed tool calls' errors (or results, where the error is the result) and failed steps' messages. */
  errors: string[];
  /**
   * The agent whose step the first failure answers: the last named speaker before the message that shows it, other
   * than that message's own speaker (the code runner that printed the traceback, the orchestrator that noted no
   * progress) and other than a tool. Null when the trace names no such agent.
   */
  actingAgent: string | null;
  /** The messages just before and after the first failure and that message itself, in order. */
  aroundFailure: AroundMessage[];
  finalAnswer: string | null;
  /** Who gave the final answer, when the trace names its speakers: in a failed run, the last agent to act on it. */
  answeredBy: string | null;
  /** Failure modes and explanations people gave on failing labels. */
  annotations: string[];
  /** Reasoning of judge verdicts that failed the trace. */
  judgeReasoning: string[];
}

/** A trace with no evidence yet, with lists of its own (a reader fills them in place). */
export function noEvidence(): TraceEvidence {
  return {
    errors: [],
    actingAgent: null,
    aroundFailure: [],
    finalAnswer: null,
    answeredBy: null,
    annotations: [],
    judgeReasoning: []
  };
}

export const NO_EVIDENCE: TraceEvidence = Object.freeze(noEvidence());

/** The evidence as one text for a person or a model to read (and the key of a cached vector or draft). */
export function evidenceText(evidence: TraceEvidence, maxChars = 4000): string {
  const text = [
    ...evidence.errors.map((e) => `error: ${e}`),
    evidence.actingAgent ? `acting agent: ${evidence.actingAgent}` : "",
    ...evidence.aroundFailure.map((m) => `around the failure: ${m.speaker}: ${m.text}`),
    evidence.finalAnswer
      ? `final answer${evidence.answeredBy ? ` by ${evidence.answeredBy}` : ""}: ${evidence.finalAnswer}`
      : "",
    ...evidence.annotations.map((a) => `annotator: ${a}`),
    ...evidence.judgeReasoning.map((r) => `judge: ${r}`)
  ]
    .filter(Boolean)
    .join("\n");
  return text.length > maxChars ? text.slice(0, maxChars) : text;
}

/** Words and two-word phrases of a text; a phrase joins neighbouring words of one text, never across texts. */
export function wordsAndPhrases(text: string): string[] {
  const words = tokenize(text);
  const phrases = words.slice(1).map((w, i) => `${words[i]} ${w}`);
  return [...words, ...phrases];
}

/**
 * How many times each agent token counts. Term frequency is sublinear (1 + ln n), so three counts weigh about
 * twice one: who acted at the first failure and who gave the final answer then outweigh any single word.
 */
export const AGENT_WEIGHT = 3;

const agentTokens = (prefix: string, name: string | null) =>
  name ? Array.from({length: AGENT_WEIGHT}, () => `${prefix}:${name}`) : [];

/**
 * The tokens of a trace's evidence. Errors are read as templates first (ids, numbers and quoted values stripped,
 * the placeholders dropped), so two instances of one error share their words and phrases. Agents are tokens of
 * their own (`acted:<name>`, `answered:<name>`), so a name never merges with the same words in a message.
 *
 * The turns around the failure count by who spoke them (`spoke:<speaker>`), and the final answer by its words
 * alone, without phrases: both are long free text (plans, code, web pages, summaries) whose words tell what the
 * task was about, the topic lens's business, and they outweighed who acted. On Who&When's blamed agent over all
 * runs, the around-turns' words and phrases brought the ARI to 0.034, below the topic lens's 0.078; without them,
 * 0.118 (BENCHMARKS.md). The evidence text keeps them whole for a person, a drafting model or an embedding model.
 */
export function evidenceTokens(evidence: TraceEvidence): string[] {
  const template = (e: string) => failureTemplate(e).replace(/<(?:str|url|id|date|path|n)>/g, " ");
  return [
    ...evidence.errors.flatMap((e) => wordsAndPhrases(template(e))),
    ...agentTokens("acted", evidence.actingAgent),
    ...evidence.aroundFailure.map((m) => `spoke:${m.speaker}`),
    ...(evidence.finalAnswer ? tokenize(evidence.finalAnswer) : []),
    ...agentTokens("answered", evidence.answeredBy),
    ...evidence.annotations.flatMap(wordsAndPhrases),
    ...evidence.judgeReasoning.flatMap(wordsAndPhrases)
  ];
}

/**
 * A cluster's name from its most distinctive terms: phrases first, and no word repeated once a phrase holding it
 * is in, so "payment amount, amount, payment" reads "payment amount".
 */
export function clusterName(terms: readonly string[], most = 4): string {
  const chosen: string[] = [];
  const phrases = terms.filter((t) => t.includes(" "));
  for (const term of [...phrases, ...terms.filter((t) => !t.includes(" "))]) {
    if (chosen.length >= most) break;
    const words = term.split(" ");
    const covered = chosen.some((c) => words.every((w) => c.split(" ").includes(w)));
    if (!covered) chosen.push(term);
  }
  return chosen.join(", ");
}
