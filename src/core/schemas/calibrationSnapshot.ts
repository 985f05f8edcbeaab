/**
 * @module A calibration snapshot: one measurement of one evaluator version against one version of the ground truth,
 * kept in the store every time figures are recorded (`plumbline generate`, `plumbline calibrate update`), so that
 * the Calibration page can show how an evaluator's MCC moved as people kept labelling.
 */
import {z} from "zod";

export const CalibrationSnapshotSchema = z
  .object({
    evaluatorId: z.string(),
    evaluatorVersion: z.string(),
    criterion: z.string(),
    /** `<criterion>@<12 hex digits>`: the ground truth the figures were measured on. */
    labelSet: z.string(),
    takenAt: z.iso.datetime(),
    /** What recorded it: `generate` or `calibrate update`. */
    source: z.string(),
    split: z.enum(["held-out", "all"]),
    n: z.number().int().nonnegative(),
    confusion: z
      .object({
        tp: z.number().int().nonnegative(),
        fp: z.number().int().nonnegative(),
        fn: z.number().int().nonnegative(),
        tn: z.number().int().nonnegative()
      })
      .strict(),
    mcc: z.number().nullable(),
    mccInterval: z.tuple([z.number(), z.number()]).nullable()
  })
  .strict();
export type CalibrationSnapshot = z.infer<typeof CalibrationSnapshotSchema>;
