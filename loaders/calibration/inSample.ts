/**
 * @module The traces each evaluator was learned from, as its spec records them (`calibration.train.traceIds`).
 * They belong to the evaluator, not to one version: a spec edited by hand after generation still learned from them.
 */
import type {LoadedSpec} from "../judge/specFile.js";

/** Evaluator id → the traces it learned from; evaluators that learned from none are absent. */
export type InSampleTraces = ReadonlyMap<string, ReadonlySet<string>>;

export function inSampleTraces(specs: readonly LoadedSpec[]): InSampleTraces {
  const out = new Map<string, Set<string>>();
  for (const {spec} of specs) {
    const ids = spec.calibration?.train?.traceIds;
    if (ids?.length) out.set(spec.id, new Set(ids));
  }
  return out;
}
