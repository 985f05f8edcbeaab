/**
 * @module The evidence of what went wrong in one flagged trace, as text: error messages and failed tool results,
 * the turns around the first failure, the final answer, annotators' explanations and failure modes, and the
 * reasoning of judges that failed it. Semantic clusters are made of this, not of what users asked about, so that
 * they gather traces that failed alike; what a trace is about stays a second lens (`traceTokens`).
 */
import {failureTemplate} from "./signature.js";
import {tokenize} from "./tfidf.js";

export interface TraceEvidence {
  /** Failed tool calls' errors (or results, where the error is the result) and failed steps' messages. */
  errors: string[];
  /** The messages just before and after the first failure, in order. */
  aroundFailure: string[];
  finalAnswer: string | null;
  /** Failure modes and explanations people gave on failing labels. */
  annotations: string[];
  /** Reasoning of judge verdicts that failed the trace. */
  judgeReasoning: string[];
}

export const NO_EVIDENCE: TraceEvidence = {
  errors: [],
  aroundFailure: [],
  finalAnswer: null,
  annotations: [],
  judgeReasoning: []
};

/** The evidence as one text for a person or a model to read (and the key of a cached vector or draft). */
export function evidenceText(evidence: TraceEvidence, maxChars = 4000): string {
  const text = [
    ...evidence.errors.map((e) => `error: ${e}`),
    ...evidence.aroundFailure.map((m) => `around the failure: ${m}`),
    evidence.finalAnswer ? `final answer: ${evidence.finalAnswer}` : "",
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
 * The tokens of a trace's evidence. Errors are read as templates first (ids, numbers and quoted values stripped,
 * the placeholders dropped), so two instances of one error share their words.
 */
export function evidenceTokens(evidence: TraceEvidence): string[] {
  const template = (e: string) => failureTemplate(e).replace(/<(?:str|url|id|date|path|n)>/g, " ");
  return [
    ...evidence.errors.flatMap((e) => wordsAndPhrases(template(e))),
    ...evidence.aroundFailure.flatMap((m) => wordsAndPhrases(template(m))),
    ...(evidence.finalAnswer ? wordsAndPhrases(evidence.finalAnswer) : []),
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
