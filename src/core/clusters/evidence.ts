/**
 * @module The evidence of what went wrong in one flagged trace, as text: error messages and failed tool results,
 * the agent that acted just before the first failure, the turns around that failure (each under its speaker's
 * name), the final answer and who gave it, the team that ran and the last agent to speak, annotators' explanations
 * and failure modes, and the reasoning of judges that failed it. Semantic clusters are made of this, not of what
 * users asked about, so that they gather traces that failed alike; what a trace is about stays a second lens
 * (`traceTokens`).
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
  /** Every named speaker of the transcript other than a tool, sorted: the team the failure happened in. */
  team: string[];
  /**
   * The last named speaker of the transcript other than a tool or a code runner (a speaker whose messages report
   * an exit code): in a multi-agent run, the agent that closed it, often a verifier who let a wrong result through.
   */
  lastAgent: string | null;
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
    team: [],
    lastAgent: null,
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
    evidence.team.length ? `team: ${evidence.team.join(", ")}` : "",
    evidence.lastAgent ? `last agent: ${evidence.lastAgent}` : "",
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
 * How much each part of the evidence about agents counts. Term frequency is sublinear (1 + ln n), so a weight of
 * three counts about twice one.
 */
export interface EvidenceWeights {
  /** Repeats of each named agent's token (who acted at the first failure, who answered, who spoke last). */
  agent: number;
  /** Repeats of each team member's token; 0 leaves the team out. */
  team: number;
  /** Repeats of each word of the acting and answering agents' names; 0 leaves them out. */
  roleWords: number;
}

/**
 * Who acted at the first failure, who gave the final answer and who spoke last outweigh any single word; the team
 * and the words of an agent's name count once. Chosen by measuring the labelled demo sets (BENCHMARKS.md), and
 * checked there on half the runs against a choice made on the other half.
 */
export const DEFAULT_EVIDENCE_WEIGHTS: EvidenceWeights = {agent: 3, team: 1, roleWords: 1};

const repeat = (token: string, times: number) => Array.from({length: times}, () => token);

/**
 * The words of an agent's name, split where its writer joined them ("DataVerification_Expert" → "data",
 * "verification", "expert"): agents named for a task ("Vegan_Food_Expert") are rarely the same agent twice, but
 * their role words ("verification", "analysis") recur across teams.
 */
export function roleWords(name: string): string[] {
  return tokenize(name.replace(/([\p{Ll}\d])(\p{Lu})/gu, "$1 $2").replace(/[_-]+/g, " "));
}

/**
 * The tokens of a trace's evidence. Errors are read as templates first (ids, numbers and quoted values stripped,
 * the placeholders dropped), so two instances of one error share their words and phrases. Agents are tokens of
 * their own (`acted:<name>`, `answered:<name>`, `last:<name>`, `team:<name>`, `role:<word>`), so a name never
 * merges with the same words in a message.
 *
 * The turns around the failure count by who spoke them (`spoke:<speaker>`), and the final answer by its words
 * alone, without phrases: both are long free text (plans, code, web pages, summaries) whose words tell what the
 * task was about, the topic lens's business, and they outweighed who acted. On Who&When's blamed agent over all
 * runs, the around-turns' words and phrases brought the ARI to 0.034, below the topic lens's 0.078 (BENCHMARKS.md).
 * The evidence text keeps them whole for a person, a drafting model or an embedding model.
 */
export function evidenceTokens(evidence: TraceEvidence, weights: EvidenceWeights = DEFAULT_EVIDENCE_WEIGHTS): string[] {
  const template = (e: string) => failureTemplate(e).replace(/<(?:str|url|id|date|path|n)>/g, " ");
  const agent = (prefix: string, name: string | null) => (name ? repeat(`${prefix}:${name}`, weights.agent) : []);
  const named = [evidence.actingAgent, evidence.answeredBy].filter((n): n is string => n !== null);
  return [
    ...evidence.errors.flatMap((e) => wordsAndPhrases(template(e))),
    ...agent("acted", evidence.actingAgent),
    ...evidence.aroundFailure.map((m) => `spoke:${m.speaker}`),
    ...(evidence.finalAnswer ? tokenize(evidence.finalAnswer) : []),
    ...agent("answered", evidence.answeredBy),
    ...agent("last", evidence.lastAgent),
    ...evidence.team.flatMap((name) => repeat(`team:${name}`, weights.team)),
    ...named.flatMap((name) => roleWords(name).flatMap((w) => repeat(`role:${w}`, weights.roleWords))),
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
