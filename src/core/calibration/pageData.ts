/**
 * @module The calibration page's input, as its data loader writes it: raw aligned pairs and label counts, from
 * which the page computes every figure with the same functions as `plumbline calibrate report`.
 */
import type {Confusion} from "./confusion.js";
import type {ClassRow, NullRule} from "./judgmentSetStats.js";
import type {VersionInfo} from "./summary.js";
import type {CalibrationSnapshot} from "../schemas/calibrationSnapshot.js";

export interface CalibrationPageData {
  versions: VersionInfo[];
  /** One judge verdict aligned with the ground truth: evaluator, version, trace, judge, human, reasoning, explanation, decided by. */
  aligned: {
    e: string;
    v: string;
    t: string;
    j: "pass" | "fail";
    h: "pass" | "fail";
    r: string | null;
    x: string | null;
    d: string;
  }[];
  /** Pairs on traces their evaluator learned from (in-sample): shown apart, never in the figures. */
  inSample: CalibrationPageData["aligned"];
  /** Per version, labelled traces left out because a label on them was accepted from that evaluator's own draft. */
  drafted?: {e: string; v: string; traces: number}[];
  /** Each version's confusion on its gated population (other failure modes as passes), for the corrected rate. */
  populations: {e: string; v: string; confusion: Confusion}[];
  /** Every calibration recorded, oldest first: the MCC over time. */
  snapshots: CalibrationSnapshot[];
  /** Each annotator's confusion matrix against each evaluator version. */
  annotators: {e: string; v: string; a: string; confusion: Confusion}[];
  /** Imported three-class labels, column-wise: `labels[r][i]` is rater r's class for item i. */
  judgmentSets: {
    dataset: string;
    /** How a judge's unreadable answer counts in the set's figures. */
    nullAs: NullRule;
    raters: {rater: string; kind: string}[];
    items: string[];
    labels: (string | null)[][];
  }[];
}

/** The rows `judgmentSetStats` takes, back from the column-wise form. */
export function classRows(set: CalibrationPageData["judgmentSets"][number]): ClassRow[] {
  return set.raters.flatMap((r, ri) =>
    set.items.map((itemId, i) => ({itemId, rater: r.rater, kind: r.kind, label: set.labels[ri]![i] ?? null}))
  );
}
