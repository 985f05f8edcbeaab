/**
 * @module Rule induction: from labelled training traces, a rule in the spec's condition language that fails the
 * traces people failed and passes the ones they passed.
 *
 * 1. Mine candidate features (`features.ts`) on the training examples only.
 * 2. Compile each kept feature with the rule runtime (`compileRule`, with its regex guards) and record, as a bit
 *    set, exactly which training examples it holds on. A feature the runtime refuses is dropped and counted.
 * 3. Literals are the features and their negations. A beam search composes them into `and`/`or` combinations of
 *    up to `maxTerms` literals, scored by the MCC on the training examples less `complexityPenalty` per literal
 *    beyond the first: a longer rule must earn its extra clause, so a person reading the spec gets the simplest
 *    rule that does about as well, and a clause that only fits a few training traces is not added.
 *
 * Deterministic: the same examples in the same order give the same rule. No held-out example is read here;
 * `ruleConfusion` measures a rule on any examples the caller holds back.
 */
import {compileRule, ruleOutcome, RuleError, type RuleContext} from "../evaluator/rule.js";
import type {Condition, Outcome} from "../schemas/evaluator.js";
import {PlumblineError} from "../errors.js";
import {mcc} from "../calibration/judgeAgreement.js";
import {confusion, type Confusion} from "../calibration/confusion.js";
import {valueOr} from "../calibration/metric.js";
import {indexText, mineFeatures, type Feature, type FeatureSource} from "./features.js";
import type {GramOptions} from "./textGrams.js";
import {failsMoreOften} from "./significance.js";

export interface InductionOptions extends GramOptions {
  /** A feature must hold on, and fail to hold on, at least this many training examples (default: 5 % of them, at least 2). */
  minSupport?: number;
  /** Most literals in a rule (default 3). */
  maxTerms?: number;
  /** Candidates kept at each step of the search (default 12). */
  beamWidth?: number;
  /** Train MCC a rule gives up for each literal beyond the first (default 0.03). */
  complexityPenalty?: number;
  /** Most text n-gram features verified (default 120). */
  maxTextFeatures?: number;
  /**
   * Significance level a clause must reach, among the traces it changes, to be added to a rule (default 0.05,
   * Bonferroni-corrected for the literals tried).
   */
  alpha?: number;
  /** Called after each step (mining and the full search, then each cross-validation fold). */
  onProgress?: (done: number, total: number, step: string) => void;
  /** Cross-validation folds within the training examples that choose the rule's size (default 5). */
  folds?: number;
}

export interface RuleCandidate {
  condition: Condition;
  description: string;
  terms: number;
  trainMcc: number | null;
  trainConfusion: Confusion;
}

export interface InducedRule extends RuleCandidate {
  /** The best single literal, the baseline a composed rule must beat. */
  bestSingle: RuleCandidate;
  /** The next best distinct rules, best first. */
  alternatives: RuleCandidate[];
  features: {mined: number; verified: number; refused: number; bySource: Partial<Record<FeatureSource, number>>};
  /** Cross-validated MCC of the best rule of each size (index 0: one literal), and the size it chose. */
  crossValidation: {folds: number; mccByTerms: (number | null)[]; terms: number | null} | null;
  candidatesConsidered: number;
  minSupport: number;
}

export class InductionError extends PlumblineError {
  override readonly name = "InductionError";
}

type Example = {outcome: Outcome; rule: RuleContext; group?: string};

interface Literal {
  feature: Feature;
  negated: boolean;
  bits: Uint32Array;
}

interface Node {
  op: "and" | "or";
  /** Literal indices; a nested group is a Node. */
  parts: (number | Node)[];
}

interface Candidate {
  node: Node;
  bits: Uint32Array;
  terms: number;
  literals: Set<number>;
  mcc: number | null;
  score: number;
  key: string;
}

export function induceRule(train: readonly Example[], options: InductionOptions = {}): InducedRule {
  const n = train.length;
  const failing = train.filter((e) => e.outcome === "fail").length;
  if (failing === 0 || failing === n) {
    throw new InductionError(
      `rule induction needs failing and passing training traces; these ${n} are all ${failing ? "fail" : "pass"}`
    );
  }
  const minSupport = options.minSupport ?? Math.max(2, Math.ceil(0.05 * n));
  const maxTerms = options.maxTerms ?? 3;
  const beamWidth = options.beamWidth ?? 12;
  const penalty = options.complexityPenalty ?? 0.03;
  const miningOptions = {
    ...options,
    minSupport,
    ...(options.maxTextFeatures ? {maxText: options.maxTextFeatures} : {})
  };
  const index = indexText(train, options);

  const words = Math.ceil(n / 32);
  const truth = new Uint32Array(words);
  train.forEach((e, i) => e.outcome === "fail" && (truth[i >> 5]! |= 1 << (i & 31)));
  const full = new Uint32Array(words);
  for (let i = 0; i < n; i++) full[i >> 5]! |= 1 << (i & 31);

  // Exact coverage of each feature from the runtime, over every training example, computed once per feature.
  const coverage = new Map<string, Uint32Array | null>();
  const bitsOf = (feature: Feature): Uint32Array | null => {
    if (coverage.has(feature.key)) return coverage.get(feature.key)!;
    let bits: Uint32Array | null = null;
    try {
      const predicate = compileRule(
        feature.condition,
        options.maxInputChars ? {maxInputChars: options.maxInputChars} : {}
      );
      bits = new Uint32Array(words);
      train.forEach((e, i) => predicate(e.rule) && (bits![i >> 5]! |= 1 << (i & 31)));
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
    }
    coverage.set(feature.key, bits);
    return bits;
  };
  /** Literals mined from the examples in `mask`; features with the same coverage there are one signal, the most readable kept. */
  const literalsOf = (mask: Uint32Array, members: number[]) => {
    const mined = mineFeatures(train, miningOptions, index, members);
    const literals: Literal[] = [];
    const byCoverage = new Set<string>();
    const bySource: Partial<Record<FeatureSource, number>> = {};
    let refused = 0;
    const size = popcount(mask);
    for (const feature of mined) {
      const bits = bitsOf(feature);
      if (!bits) {
        refused++;
        continue;
      }
      const covered = and2(bits, mask);
      if (covered < minSupport || size - covered < minSupport) continue;
      const signature = bits.map((w, i) => w & mask[i]!).join(",");
      if (byCoverage.has(signature)) continue;
      byCoverage.add(signature);
      bySource[feature.source] = (bySource[feature.source] ?? 0) + 1;
      literals.push({feature, negated: false, bits});
      literals.push({feature, negated: true, bits: bits.map((w, i) => ~w & full[i]!)});
    }
    return {literals, mined: mined.length, refused, bySource};
  };

  const all = train.map((_, i) => i);
  const {literals, mined, refused, bySource} = literalsOf(full, all);
  if (!literals.length) {
    throw new InductionError(
      `no feature holds on at least ${minSupport} and at most ${n - minSupport} of the ${n} training traces; label more traces or lower the minimum support`
    );
  }
  const foldCount = Math.min(options.folds ?? 5, failing, n - failing);
  const steps = 1 + (foldCount >= 3 ? foldCount : 0);
  options.onProgress?.(0, steps, `${literals.length / 2} features`);
  const counter = {considered: 0};
  const searchOptions = {alpha: options.alpha ?? 0.05, maxTerms, beamWidth, penalty, counter};
  const ranked = search(literals, truth, full, searchOptions);
  options.onProgress?.(1, steps, `${counter.considered} rules scored`);

  // How many literals the rule gets is chosen by cross-validation within the training split: each fold's
  // complement is mined and searched afresh, and the best rule of each size is scored on the fold it did not
  // see. (Mining once on all of train would let n-grams that only fit by chance look as if they generalize.)
  // With few examples of a class there are no folds to speak of, and the penalty alone decides.
  const folds = foldCount;
  let cvMcc: (number | null)[] = [];
  let size: number | null = null;
  if (folds >= 3) {
    const pooled = Array.from({length: maxTerms}, () => ({tp: 0, fp: 0, fn: 0, tn: 0}));
    let done = 1;
    for (const validation of foldMasks(train, folds, words)) {
      const fitMask = validation.map((w, i) => ~w & full[i]!);
      const fold = literalsOf(
        fitMask,
        all.filter((i) => (fitMask[i >> 5]! >>> (i & 31)) & 1)
      );
      if (!fold.literals.length) continue;
      const fitted = search(fold.literals, truth, fitMask, searchOptions);
      for (let terms = 1; terms <= maxTerms; terms++) {
        const best = simplest(
          fitted.filter((c) => c.terms === terms),
          fold.literals,
          popcount(fitMask)
        )[0];
        if (!best) continue;
        const c = confusionOf(best.bits, truth, validation);
        const p = pooled[terms - 1]!;
        p.tp += c.tp;
        p.fp += c.fp;
        p.fn += c.fn;
        p.tn += c.tn;
      }
      options.onProgress?.(++done, steps, `cross-validation fold ${done - 1} of ${folds}`);
    }
    cvMcc = pooled.map(mccOf);
    // The one-standard-error rule: the smallest rule whose cross-validated MCC is within one standard error of
    // the best, since differences smaller than that are noise at this many examples.
    const best = Math.max(...cvMcc.map((m) => m ?? -Infinity));
    if (best > -Infinity) {
      const se = Math.sqrt((1 - best * best) / Math.max(1, n - 2));
      const index = cvMcc.findIndex((m) => m !== null && m >= best - se);
      size = index + 1;
    }
  }
  const chosen = simplest(size === null ? ranked : ranked.filter((c) => c.terms === size), literals, n);
  const distinct: Candidate[] = [];
  const seen = new Set<string>();
  for (const c of [...chosen, ...ranked]) {
    const signature = c.bits.join(",");
    if (seen.has(signature)) continue;
    seen.add(signature);
    distinct.push(c);
    if (distinct.length === 6) break;
  }
  const singles = ranked.filter((c) => c.terms === 1);
  const present = (c: Candidate) => candidateOf(c, literals, truth, full);
  const best = present(distinct[0]!);
  return {
    ...best,
    bestSingle: present(singles[0]!),
    alternatives: distinct.slice(1).map(present),
    features: {mined, verified: literals.length / 2, refused, bySource},
    crossValidation: folds >= 3 ? {folds, mccByTerms: cvMcc, terms: size} : null,
    candidatesConsidered: counter.considered,
    minSupport
  };
}

interface SearchOptions {
  alpha: number;
  maxTerms: number;
  beamWidth: number;
  penalty: number;
  counter: {considered: number};
}

/**
 * Every rule the beam search scored on the examples in `mask`, best first. Rules are grown one literal at a time,
 * by `and` or `or`, from the `beamWidth` best of the previous size.
 */
function search(
  literals: readonly Literal[],
  truth: Uint32Array,
  mask: Uint32Array,
  options: SearchOptions
): Candidate[] {
  const score = (node: Node, bits: Uint32Array, terms: number, used: Set<number>): Candidate => {
    options.counter.considered++;
    const mcc = mccOf(confusionOf(bits, truth, mask));
    return {
      node,
      bits,
      terms,
      literals: used,
      mcc,
      score: mcc === null ? -Infinity : mcc - options.penalty * (terms - 1),
      key: keyOf(node)
    };
  };
  // Bonferroni over the literals one extension step tries.
  const alpha = options.alpha / Math.max(1, literals.length);
  const all = new Map<string, Candidate>();
  let beam = literals.map((_, i) => score({op: "and", parts: [i]}, literals[i]!.bits, 1, new Set([i]))).sort(better);
  for (const c of beam) all.set(c.key, c);
  beam = beam.slice(0, options.beamWidth);
  for (let terms = 2; terms <= options.maxTerms; terms++) {
    const next = new Map<string, Candidate>();
    for (const base of beam) {
      for (let i = 0; i < literals.length; i++) {
        // A feature and its negation in one rule is a tautology or a contradiction.
        if (base.literals.has(i) || base.literals.has(i ^ 1)) continue;
        for (const op of ["and", "or"] as const) {
          const node = extend(base.node, op, i);
          const key = keyOf(node);
          if (next.has(key) || all.has(key)) continue;
          if (!earnsPlace(base.bits, literals[i]!.bits, op, truth, mask, alpha)) continue;
          const bits = combine(base.bits, literals[i]!.bits, op);
          next.set(key, score(node, bits, terms, new Set([...base.literals, i])));
        }
      }
    }
    if (!next.size) break;
    for (const [key, c] of next) all.set(key, c);
    beam = [...next.values()].sort(better).slice(0, options.beamWidth);
  }
  return [...all.values()].sort(better);
}

/**
 * The candidates reordered so that, among those within one standard error of the best MCC, the ones with fewer
 * text checks come first: a tool-call or status check that scores about as well as an n-gram names what happened,
 * while the n-gram, picked from thousands, is likelier to fit these traces by chance ("it seems" in the agent's
 * reply against "some tool call failed"). Outside that band the order is unchanged.
 */
function simplest(candidates: readonly Candidate[], literals: readonly Literal[], n: number): Candidate[] {
  if (!candidates.length) return [];
  const top = Math.max(...candidates.map((c) => c.mcc ?? -Infinity));
  if (top === -Infinity) return [...candidates];
  const se = Math.sqrt((1 - top * top) / Math.max(1, n - 2));
  const text = (c: Candidate) => [...c.literals].filter((i) => literals[i]!.feature.source === "text").length;
  const band = candidates.filter((c) => c.mcc !== null && c.mcc >= top - se);
  const ordered = [...band].sort((a, b) => a.terms - b.terms || text(a) - text(b) || better(a, b));
  const rest = candidates.filter((c) => !band.includes(c));
  return [...ordered, ...rest];
}

/**
 * Whether adding `literal` to `base` by `op` is supported by the traces it changes: for `or`, among the traces the
 * base passes, those the literal holds on must fail significantly more often than the rest; for `and`, among the
 * traces the base fails, those the literal keeps must fail significantly more often than those it drops.
 */
function earnsPlace(
  base: Uint32Array,
  literal: Uint32Array,
  op: "and" | "or",
  truth: Uint32Array,
  mask: Uint32Array,
  alpha: number
): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let i = 0; i < base.length; i++) {
    const scope = (op === "or" ? ~base[i]! : base[i]!) & mask[i]!;
    const withIt = scope & literal[i]!;
    const without = scope & ~literal[i]!;
    a += bitCount(withIt & truth[i]!);
    b += bitCount(withIt & ~truth[i]!);
    c += bitCount(without & truth[i]!);
    d += bitCount(without & ~truth[i]!);
  }
  return failsMoreOften(a, b, c, d, alpha);
}

function better(a: Candidate, b: Candidate): number {
  return b.score - a.score || a.terms - b.terms || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Stratified folds in input order: the i-th example of each class goes to fold i mod k. Examples of one group go
 * to the fold of the group's first example, so that, as in the outer split, no group is fitted and validated on.
 */
export function foldMasks(
  examples: readonly Pick<Example, "outcome" | "group">[],
  folds: number,
  words: number
): Uint32Array[] {
  const masks = Array.from({length: folds}, () => new Uint32Array(words));
  const seen = {fail: 0, pass: 0};
  const groupFold = new Map<string, number>();
  examples.forEach((e, i) => {
    let fold = e.group === undefined ? undefined : groupFold.get(e.group);
    if (fold === undefined) {
      fold = seen[e.outcome]++ % folds;
      if (e.group !== undefined) groupFold.set(e.group, fold);
    }
    masks[fold]![i >> 5]! |= 1 << (i & 31);
  });
  return masks;
}

/** A rule's confusion matrix on labelled examples, through the rule runtime (positive class: fail). */
export function ruleConfusion(
  condition: Condition,
  examples: readonly {outcome: Outcome; rule: RuleContext}[]
): Confusion {
  const predicate = compileRule(condition);
  return confusion(examples.map((e) => ({human: e.outcome, judge: ruleOutcome(predicate, e.rule)})));
}

function candidateOf(c: Candidate, literals: readonly Literal[], truth: Uint32Array, mask: Uint32Array): RuleCandidate {
  const trainConfusion = confusionOf(c.bits, truth, mask);
  return {
    condition: conditionOf(c.node, literals),
    description: describe(c.node, literals, true),
    terms: c.terms,
    trainMcc: mccOf(trainConfusion),
    trainConfusion
  };
}

function extend(node: Node, op: "and" | "or", literal: number): Node {
  if (node.parts.length === 1) return {op, parts: [node.parts[0]!, literal]};
  if (node.op === op) return {op, parts: [...node.parts, literal]};
  return {op, parts: [node, literal]};
}

/** The same literals under the same operators are the same rule whatever order they were added in. */
function keyOf(node: Node): string {
  const parts = node.parts.map((p) => (typeof p === "number" ? String(p) : `(${keyOf(p)})`)).sort();
  return parts.length === 1 ? parts[0]! : parts.join(node.op === "and" ? "&" : "|");
}

function conditionOf(node: Node | number, literals: readonly Literal[]): Condition {
  if (typeof node === "number") {
    const literal = literals[node]!;
    return literal.negated ? {op: "not", condition: literal.feature.condition} : literal.feature.condition;
  }
  if (node.parts.length === 1) return conditionOf(node.parts[0]!, literals);
  const parts = node.parts.map((p) => conditionOf(p, literals));
  return node.op === "and" ? {op: "and", all: parts} : {op: "or", any: parts};
}

function describe(node: Node | number, literals: readonly Literal[], top = false): string {
  if (typeof node === "number") {
    const literal = literals[node]!;
    return literal.negated ? literal.feature.negation : literal.feature.description;
  }
  if (node.parts.length === 1) return describe(node.parts[0]!, literals, top);
  const text = node.parts.map((p) => describe(p, literals)).join(node.op === "and" ? " and " : " or ");
  return top ? text : `(${text})`;
}

function combine(a: Uint32Array, b: Uint32Array, op: "and" | "or"): Uint32Array {
  const out = new Uint32Array(a.length);
  if (op === "and") for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  else for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!;
  return out;
}

function bitCount(w: number): number {
  w = w - ((w >>> 1) & 0x55555555);
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function popcount(bits: Uint32Array): number {
  let count = 0;
  for (const w of bits) count += bitCount(w);
  return count;
}

function and3(a: Uint32Array, b: Uint32Array, c: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) count += bitCount(a[i]! & b[i]! & c[i]!);
  return count;
}

function and2(a: Uint32Array, b: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) count += bitCount(a[i]! & b[i]!);
  return count;
}

/** The confusion matrix of `predicted` against `truth` over the examples in `mask`. */
function confusionOf(predicted: Uint32Array, truth: Uint32Array, mask: Uint32Array): Confusion {
  const tp = and3(predicted, truth, mask);
  const fail = and2(predicted, mask);
  const actual = and2(truth, mask);
  const n = popcount(mask);
  return {tp, fp: fail - tp, fn: actual - tp, tn: n - fail - actual + tp};
}

/** The calibration page's MCC, or null where it is undefined (a class absent from the truth or the rule). */
function mccOf(c: Confusion): number | null {
  return valueOr(mcc(c));
}
