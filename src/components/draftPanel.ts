/**
 * @module The Annotate page's suggestions: what an evaluator drafted for this trace (a calibrated judge's verdict
 * and reasoning, or a drafted failure description), in a panel of its own and marked as a draft, so it is never
 * mistaken for the person's label. `y` (or the button) accepts the first one as the person's label; the label then
 * records which draft it came from. Also the severity picker for the person's own label.
 */
import type {Annotation} from "../core/schemas/annotation.js";
import {SEVERITIES, type Severity} from "../core/annotations/severity.js";
import type {DraftSuggestion} from "../core/schemas/draft.js";
import {el} from "./dom.js";

export interface DraftPanelState {
  drafts: readonly DraftSuggestion[];
  /** The person's labels on this trace, to mark drafts they already accepted. */
  mine: readonly Annotation[];
  readOnly: boolean;
}

const STATUS_CLASS: Record<DraftSuggestion["calibration"]["status"], string> = {
  blocks: "pl-good",
  reports: "pl-warn",
  "not-trusted": "pl-bad",
  uncalibrated: ""
};

/** Whether `a` was accepted from `d`. */
export function acceptedFrom(a: Annotation, d: DraftSuggestion): boolean {
  const from = a.acceptedFrom;
  return !!from && from.kind === d.kind && from.evaluatorId === d.evaluatorId && from.draftId === d.draftId;
}

/** The draft `y` accepts: the first not yet accepted, on the focused criterion when one is there. */
export function nextDraft(state: DraftPanelState, focused: string): DraftSuggestion | null {
  const open = state.drafts.filter((d) => !state.mine.some((a) => acceptedFrom(a, d)));
  return open.find((d) => d.criterion === focused) ?? open[0] ?? null;
}

export function draftPanel(state: DraftPanelState, on: {accept(draft: DraftSuggestion): void}): HTMLElement | null {
  if (!state.drafts.length) return null;
  return el(
    "section",
    {class: "pl-draft-panel", attrs: {"aria-label": "suggested labels (drafts)"}},
    el("div", {class: "pl-label"}, `Suggested, not yet your label (${state.drafts.length})`),
    ...state.drafts.map((d) => {
      const accepted = state.mine.some((a) => acceptedFrom(a, d));
      const by = `${d.evaluatorId}${d.evaluatorVersion ? ` ${d.evaluatorVersion}` : ""}`;
      return el(
        "div",
        {class: "pl-draft", attrs: {"data-evaluator": d.evaluatorId, "data-kind": d.kind}},
        el("span", {class: "pl-badge pl-draft-mark"}, "draft"),
        ` suggested by ${by} · ${d.criterion} `,
        d.pass === null
          ? null
          : el("span", {class: `pl-badge ${d.pass ? "pl-good" : "pl-bad"}`}, d.pass ? "pass" : "fail"),
        d.failureMode ? el("span", {class: "pl-chip"}, d.failureMode) : null,
        d.severity ? el("span", {class: "pl-chip"}, d.severity) : null,
        d.explanation ? el("div", {class: "pl-draft-explanation"}, d.explanation) : null,
        d.reasoning && d.reasoning !== d.explanation
          ? el("div", {class: "pl-muted"}, `Reasoning: ${d.reasoning}`)
          : null,
        el(
          "div",
          {class: "pl-muted pl-draft-calibration"},
          el("span", {class: `pl-badge ${STATUS_CLASS[d.calibration.status]}`}, d.calibration.status),
          ` ${d.calibration.reason}`
        ),
        accepted
          ? el("div", {class: "pl-muted pl-draft-accepted"}, "Accepted as your label.")
          : state.readOnly
            ? null
            : el("button", {class: "pl-draft-accept", on: {click: () => on.accept(d)}}, "Accept as my label (y)")
      );
    })
  );
}

/** The severity of the person's label on the focused criterion; `s` focuses it. */
export function severityPicker(
  current: Severity | null,
  readOnly: boolean,
  on: {change(severity: Severity | null): void},
  /** The rubric's usual severity for the label's failure mode, shown as a hint, never written for the annotator. */
  usual: {failureMode: string; severity: Severity} | null = null
): HTMLElement {
  const select = el(
    "select",
    {
      class: "pl-severity",
      attrs: {"aria-label": "severity", ...(readOnly ? {disabled: ""} : {})},
      on: {change: () => on.change((select.value || null) as Severity | null)}
    },
    el("option", {attrs: {value: ""}}, "—"),
    ...SEVERITIES.map((s) => el("option", {attrs: {value: s}}, s))
  );
  select.value = current ?? "";
  return el(
    "label",
    {class: "pl-severity-field"},
    "Severity (s) ",
    select,
    usual ? el("span", {class: "pl-muted"}, ` usually ${usual.severity} for ${usual.failureMode}`) : null
  );
}
