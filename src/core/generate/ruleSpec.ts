/**
 * @module A rule evaluator spec from labelled examples already split: the rule induced on the training split,
 * measured on the held-out split it never saw, with those figures as the spec's calibration block. The best single
 * feature, measured on the same held-out traces, is recorded as the baseline a composed rule has to beat.
 */
import {calibrationFromConfusion} from "../calibration/specCalibration.js";
import type {Confusion} from "../calibration/confusion.js";
import type {EvaluatorSpecInput} from "../schemas/evaluator.js";
import type {LabelledExample, Split} from "./examples.js";
import {induceRule, ruleConfusion, type InducedRule, type InductionOptions} from "./ruleInduction.js";

export interface RuleSpecOptions {
  id: string;
  failureMode: string;
  criterion: string;
  /** Where the labels came from, in words, for the calibration block. */
  labels: string;
  /** ISO time the figures are recorded at (core reads no clock). */
  measuredAt: string;
  induction?: InductionOptions;
}

export interface GeneratedRule {
  /** The spec, its calibration stamped with a provisional version until the spec file's version is known. */
  spec: EvaluatorSpecInput;
  rule: InducedRule;
  heldOut: Confusion;
  baselineHeldOut: Confusion;
}

export function generateRuleSpec(split: Split<LabelledExample>, options: RuleSpecOptions): GeneratedRule {
  const rule = induceRule(split.train, options.induction);
  const heldOut = ruleConfusion(rule.condition, split.heldOut);
  const baselineHeldOut = ruleConfusion(rule.bestSingle.condition, split.heldOut);
  const baseline = calibrationFromConfusion(baselineHeldOut, {
    evaluatorVersion: "baseline",
    criterion: options.criterion,
    labels: options.labels,
    split: "held-out",
    measuredAt: options.measuredAt
  });
  const calibration = calibrationFromConfusion(heldOut, {
    evaluatorVersion: "pending",
    criterion: options.criterion,
    labels: options.labels,
    split: "held-out",
    measuredAt: options.measuredAt,
    train: {n: split.train.length, mcc: rule.trainMcc},
    baseline: {name: `best single feature: ${rule.bestSingle.description}`, mcc: baseline.mcc}
  });
  const fails = split.train.filter((e) => e.outcome === "fail").length;
  return {
    spec: {
      id: options.id,
      version: "1.0.0",
      description: `Fails when ${rule.description}. Induced from ${split.train.length} labelled traces (${fails} fail); figures in calibration are on ${split.heldOut.length} held-out traces.`,
      failureMode: options.failureMode,
      criterion: options.criterion,
      scope: "trace",
      kind: "rule",
      rule: rule.condition,
      lineage: {derivedFrom: null, note: `rule induction on ${options.labels}`},
      calibration
    },
    rule,
    heldOut,
    baselineHeldOut
  };
}
