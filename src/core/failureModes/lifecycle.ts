/**
 * @module The failure-mode lifecycle: new → triaged → annotated → has evaluator → fix shipped → verified resolved,
 * or regressed. Replays the registry's events into modes, says which moves are allowed, and derives the state a
 * mode is really in from what exists: annotations lift a mode to `annotated`, an evaluator to `has_evaluator`, and
 * a resolved mode seen again is `regressed`.
 */
import {
  FAILURE_MODE_STATES,
  type ClusterLink,
  type FailureModeEvent,
  type FailureModeState
} from "../schemas/failureMode.js";

export interface ModeRecord {
  name: string;
  description: string | null;
  promotedAt: number;
  clusters: ClusterLink[];
  /** The state last set by a person, and every state change with its time (epoch ms) and note. */
  state: FailureModeState;
  history: {state: FailureModeState; at: number; note: string | null}[];
}

const rank = (state: FailureModeState) => FAILURE_MODE_STATES.indexOf(state);

/** Where a person may move a mode from each state. Forward steps may be skipped; going back is allowed to re-triage. */
const ALLOWED: Record<FailureModeState, readonly FailureModeState[]> = {
  new: ["triaged", "annotated", "has_evaluator", "fix_shipped"],
  triaged: ["new", "annotated", "has_evaluator", "fix_shipped"],
  annotated: ["triaged", "has_evaluator", "fix_shipped"],
  has_evaluator: ["triaged", "annotated", "fix_shipped"],
  fix_shipped: ["has_evaluator", "verified_resolved", "regressed"],
  verified_resolved: ["regressed"],
  regressed: ["triaged", "annotated", "has_evaluator", "fix_shipped"]
};

export function allowedMoves(from: FailureModeState): readonly FailureModeState[] {
  return ALLOWED[from];
}

/** Null when the move is allowed, else the reason it is not. */
export function checkMove(from: FailureModeState, to: FailureModeState): string | null {
  if (from === to) return `the failure mode is already ${to}`;
  if (ALLOWED[from].includes(to)) return null;
  return `cannot move a failure mode from ${from} to ${to}; from ${from} it can go to ${ALLOWED[from].join(", ")}`;
}

export interface ReplayResult {
  modes: Map<string, ModeRecord>;
  /** Events that did not apply (a state change for a mode never promoted), with their index in the log. */
  skipped: {index: number; reason: string}[];
}

/** Applies the events in order. A second promote of a name links one more cluster and may update the description. */
export function replayEvents(events: readonly FailureModeEvent[]): ReplayResult {
  const modes = new Map<string, ModeRecord>();
  const skipped: ReplayResult["skipped"] = [];
  events.forEach((event, index) => {
    const at = Date.parse(event.at);
    const mode = modes.get(event.name);
    if (event.type === "promote") {
      if (!mode) {
        modes.set(event.name, {
          name: event.name,
          description: event.description,
          promotedAt: at,
          clusters: event.cluster ? [event.cluster] : [],
          state: "new",
          history: [{state: "new", at, note: null}]
        });
      } else {
        if (event.description) mode.description = event.description;
        if (
          event.cluster &&
          !mode.clusters.some(
            (c) => c.clusterId === event.cluster!.clusterId && c.signature === event.cluster!.signature
          )
        ) {
          mode.clusters.push(event.cluster);
        }
      }
      return;
    }
    if (!mode) {
      skipped.push({
        index,
        reason: `no failure mode named ${JSON.stringify(event.name)} was promoted before this state change`
      });
      return;
    }
    mode.state = event.state;
    mode.history.push({state: event.state, at, note: event.note});
  });
  return {modes, skipped};
}

export interface Evidence {
  annotationCount: number;
  evaluatorCount: number;
  /** When a trace of this mode was last seen (epoch ms), or null when none has been. */
  lastSeen: number | null;
}

/** The time the mode last entered `state`, or null. */
export function enteredAt(mode: Pick<ModeRecord, "history">, state: FailureModeState): number | null {
  for (let i = mode.history.length - 1; i >= 0; i--) if (mode.history[i]!.state === state) return mode.history[i]!.at;
  return null;
}

/** The state shown for a mode: the one set by people, lifted by what exists, and `regressed` when a resolved mode recurs. */
export function effectiveState(mode: Pick<ModeRecord, "state" | "history">, evidence: Evidence): FailureModeState {
  if (mode.state === "verified_resolved") {
    const resolved = enteredAt(mode, "verified_resolved")!;
    return evidence.lastSeen !== null && evidence.lastSeen > resolved ? "regressed" : "verified_resolved";
  }
  if (mode.state === "fix_shipped" || mode.state === "regressed") return mode.state;
  let state = mode.state;
  if (evidence.annotationCount > 0 && rank(state) < rank("annotated")) state = "annotated";
  if (evidence.evaluatorCount > 0 && rank(state) < rank("has_evaluator")) state = "has_evaluator";
  return state;
}
