/**
 * @module Draft labels from judge verdicts: which verdicts become suggestions, and the label accepting one writes.
 *
 * Only versions with a recorded calibration draft: a verdict from a judge nobody has measured is not worth a
 * reviewer's attention as a suggestion. Its trust status travels with the draft so the reviewer can weigh it.
 */
import type {AcceptedDraft} from "../schemas/annotation.js";
import type {CalibrationSnapshot} from "../schemas/calibrationSnapshot.js";
import type {DraftSuggestion} from "../schemas/draft.js";
import type {FailureDraft} from "../schemas/failureDraft.js";
import {mccInterval} from "../calibration/posterior.js";
import {trustOf} from "../calibration/trust.js";

/** A judge's latest verdict on one trace, with what its evaluator version is about. */
export interface DraftVerdict {
  evaluatorId: string;
  evaluatorVersion: string;
  criterion: string;
  failureMode: string;
  traceId: string;
  outcome: "pass" | "fail";
  reasoning: string | null;
  runId: string;
}

function calibrationOf(s: CalibrationSnapshot): DraftSuggestion["calibration"] {
  if (s.mcc === null) return {status: "uncalibrated", reason: "MCC undefined", mcc: null, n: s.n};
  const c = s.confusion;
  const trust = trustOf({mcc: s.mcc, interval: mccInterval(c), humanFail: c.tp + c.fn, humanPass: c.fp + c.tn});
  return {status: trust.status, reason: `${trust.reason} on n ${s.n}`, mcc: s.mcc, n: s.n};
}

/** One suggestion per verdict of a calibrated version, the version's latest calibration attached. */
export function judgeSuggestions(
  verdicts: readonly DraftVerdict[],
  snapshots: readonly CalibrationSnapshot[]
): DraftSuggestion[] {
  const latest = new Map<string, CalibrationSnapshot>();
  for (const s of snapshots) {
    const key = `${s.evaluatorId}\u0000${s.evaluatorVersion}`;
    const seen = latest.get(key);
    if (!seen || seen.takenAt <= s.takenAt) latest.set(key, s);
  }
  // The interval is drawn from a posterior: once per version, not once per verdict.
  const calibrations = new Map([...latest].map(([key, s]) => [key, calibrationOf(s)]));
  return verdicts.flatMap((v) => {
    const calibration = calibrations.get(`${v.evaluatorId}\u0000${v.evaluatorVersion}`);
    if (!calibration) return [];
    const fail = v.outcome === "fail";
    return [
      {
        kind: "judge_verdict" as const,
        traceId: v.traceId,
        criterion: v.criterion,
        evaluatorId: v.evaluatorId,
        evaluatorVersion: v.evaluatorVersion,
        draftId: v.runId,
        pass: !fail,
        failureMode: fail ? v.failureMode : null,
        explanation: v.reasoning,
        reasoning: v.reasoning,
        severity: null,
        calibration
      }
    ];
  });
}

/**
 * One suggestion per trace and drafting model, its newest description: a failure on the whole trace, explained in
 * the draft's words. Nothing measures a drafting model against labels, so it is marked uncalibrated.
 */
export function failureDraftSuggestions(drafts: readonly FailureDraft[]): DraftSuggestion[] {
  const newest = new Map<string, FailureDraft>();
  for (const d of drafts) {
    const key = `${d.traceId}\u0000${d.model}`;
    const seen = newest.get(key);
    if (!seen || seen.createdAt < d.createdAt) newest.set(key, d);
  }
  return [...newest.values()].map((d) => ({
    kind: "failure_draft",
    traceId: d.traceId,
    criterion: "overall",
    evaluatorId: d.model,
    evaluatorVersion: d.promptVersion,
    draftId: `${d.model}/${d.promptVersion}/${d.createdAt}`,
    pass: false,
    failureMode: null,
    explanation: d.text,
    reasoning: null,
    severity: null,
    calibration: {
      status: "uncalibrated",
      reason: "a drafted description; drafting models are not calibrated",
      mcc: null,
      n: 0
    }
  }));
}

/** The fields of the label accepting `s` gives, `acceptedFrom` naming the draft. */
export function acceptedLabelFields(s: DraftSuggestion): {
  pass: boolean | null;
  score: number | null;
  failureMode: string | null;
  explanation: string | null;
  severity: DraftSuggestion["severity"];
  acceptedFrom: AcceptedDraft;
} {
  return {
    pass: s.pass,
    score: s.pass === null ? null : s.pass ? 1 : 0,
    failureMode: s.pass === false ? s.failureMode : null,
    explanation: s.explanation,
    severity: s.pass === false ? s.severity : null,
    acceptedFrom: {
      kind: s.kind,
      evaluatorId: s.evaluatorId,
      evaluatorVersion: s.evaluatorVersion,
      draftId: s.draftId
    }
  };
}
