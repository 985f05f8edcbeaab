/**
 * @module The rubric beside the trace: one row per criterion with the annotator's current answer, the
 * failure-mode picker (the rubric's categories plus every name already used; typing a new one adds it), an
 * explanation, and the corrected output. Keys 1–9 focus a criterion; p and f answer the focused one.
 */
import type {Annotation} from "../core/schemas/annotation.js";
import type {Criterion, Rubric} from "../core/schemas/rubric.js";
import {el} from "./dom.js";

export interface RubricFormHandlers {
  focus(criterion: string): void;
  answer(criterion: Criterion, answer: {pass?: boolean | null; label?: string | null; score?: number | null}): void;
  details(fields: {failureMode?: string | null; explanation?: string | null; correctedOutput?: string | null}): void;
}

export interface RubricFormState {
  rubric: Rubric;
  focused: string;
  /** The annotator's trace-wide label per criterion on this trace. */
  mine: Map<string, Annotation>;
  failureModes: {name: string; isNew: boolean}[];
  readOnly: boolean;
}

function control(
  criterion: Criterion,
  current: Annotation | undefined,
  state: RubricFormState,
  on: RubricFormHandlers
): HTMLElement {
  const disabled: Record<string, string> = state.readOnly ? {disabled: ""} : {};
  switch (criterion.kind) {
    case "boolean": {
      const button = (pass: boolean, text: string) =>
        el(
          "button",
          {
            class: `pl-verdict ${pass ? "pl-verdict-pass" : "pl-verdict-fail"}`,
            attrs: {
              "aria-pressed": String(current?.pass === pass),
              "data-verdict": pass ? "pass" : "fail",
              ...disabled
            },
            on: {click: () => on.answer(criterion, {pass})}
          },
          text
        );
      return el("div", {class: "pl-verdicts"}, button(true, "Pass (p)"), button(false, "Fail (f)"));
    }
    case "categorical": {
      const select = el(
        "select",
        {attrs: {...disabled}, on: {change: () => on.answer(criterion, {label: select.value || null, pass: null})}},
        el("option", {attrs: {value: ""}}, "—"),
        ...criterion.options.map((o) => el("option", {attrs: {value: o}}, o))
      );
      select.value = current?.label ?? "";
      return select;
    }
    case "numeric": {
      const input = el("input", {
        attrs: {type: "number", min: String(criterion.min), max: String(criterion.max), step: "1", ...disabled},
        on: {
          change: () => {
            const value = Number(input.value);
            if (input.value === "" || !Number.isFinite(value)) return;
            const clamped = Math.min(criterion.max, Math.max(criterion.min, value));
            on.answer(criterion, {score: (clamped - criterion.min) / (criterion.max - criterion.min), pass: null});
          }
        }
      });
      if (current?.score != null) input.value = String(criterion.min + current.score * (criterion.max - criterion.min));
      return input;
    }
    case "text": {
      const area = el("textarea", {
        attrs: {rows: "2", ...disabled},
        on: {change: () => on.answer(criterion, {label: area.value || null})}
      });
      area.value = current?.label ?? "";
      return area;
    }
  }
}

export function rubricForm(state: RubricFormState, on: RubricFormHandlers): HTMLElement {
  const rows = state.rubric.criteria.map((criterion, i) => {
    const current = state.mine.get(criterion.id);
    return el(
      "div",
      {
        class: `pl-criterion${criterion.id === state.focused ? " pl-criterion-focused" : ""}`,
        attrs: {"data-criterion": criterion.id},
        on: {click: () => on.focus(criterion.id)}
      },
      el(
        "div",
        {class: "pl-criterion-head"},
        el("span", {class: "pl-key"}, String(i + 1)),
        el("span", {class: "pl-criterion-id"}, criterion.id),
        current?.pass === true
          ? el("span", {class: "pl-badge pl-good"}, "pass")
          : current?.pass === false
            ? el("span", {class: "pl-badge pl-bad"}, "fail")
            : null
      ),
      el("div", {class: "pl-question"}, criterion.question),
      control(criterion, current, state, on)
    );
  });
  const focused = state.mine.get(state.focused);
  const disabled: Record<string, string> = state.readOnly ? {disabled: ""} : {};
  const listId = "pl-failure-modes";
  const mode = el("input", {
    class: "pl-failure-mode",
    attrs: {list: listId, placeholder: "failure mode (type a new one to add it)", ...disabled},
    on: {change: () => on.details({failureMode: mode.value.trim() || null})}
  });
  mode.value = focused?.failureMode ?? "";
  const explanation = el("textarea", {
    class: "pl-explanation",
    attrs: {rows: "3", placeholder: "why (e), shown to whoever reads this label", ...disabled},
    on: {change: () => on.details({explanation: explanation.value.trim() || null})}
  });
  explanation.value = focused?.explanation ?? "";
  const corrected = el("textarea", {
    class: "pl-corrected",
    attrs: {rows: "2", placeholder: "what the answer should have been", ...disabled},
    on: {change: () => on.details({correctedOutput: corrected.value || null})}
  });
  corrected.value = focused?.correctedOutput ?? "";
  return el(
    "div",
    {class: "pl-rubric"},
    ...rows,
    el("div", {class: "pl-label"}, `Details for ${state.focused}`),
    el(
      "datalist",
      {attrs: {id: listId}},
      ...state.failureModes.map((m) => el("option", {attrs: {value: m.name}}, m.isNew ? "new" : ""))
    ),
    mode,
    explanation,
    corrected
  );
}
