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
  /** The trace the form labels: typing carries over a re-render of the same trace and criterion only. */
  traceId: string;
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
  const mode = detailField("input", "pl-failure-mode", focused?.failureMode, disabled, (value) =>
    on.details({failureMode: value.trim() || null})
  );
  mode.setAttribute("list", listId);
  mode.placeholder = "failure mode (type a new one to add it)";
  const explanation = detailField("textarea", "pl-explanation", focused?.explanation, disabled, (value) =>
    on.details({explanation: value.trim() || null})
  );
  explanation.rows = 3;
  explanation.placeholder = "why (e), shown to whoever reads this label";
  const corrected = detailField("textarea", "pl-corrected", focused?.correctedOutput, disabled, (value) =>
    on.details({correctedOutput: value || null})
  );
  corrected.rows = 2;
  corrected.placeholder = "what the answer should have been";
  return el(
    "div",
    {class: "pl-rubric", attrs: {"data-for": `${state.traceId}\n${state.focused}`}},
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

/**
 * A detail field that reports its text once it differs from what was last saved: on change, and on blur too, since
 * a field whose text was carried over a re-render (`keepTyping`) gets no change event if nothing more is typed.
 */
function detailField<K extends "input" | "textarea">(
  tag: K,
  className: string,
  value: string | null | undefined,
  disabled: Record<string, string>,
  save: (value: string) => void
): HTMLElementTagNameMap[K] {
  const field = el(tag, {class: className, attrs: disabled});
  field.value = value ?? "";
  field.dataset.saved = field.value;
  const commit = () => {
    // A field taken out of the page (a re-render) hands its text over rather than saving half of it.
    if (!field.isConnected || field.value === field.dataset.saved) return;
    field.dataset.saved = field.value;
    save(field.value);
  };
  field.addEventListener("change", commit);
  field.addEventListener("blur", commit);
  return field;
}

const DETAIL_FIELDS = [".pl-failure-mode", ".pl-explanation", ".pl-corrected"];

/**
 * Call before re-rendering `pane`, then call what it returns with the new form in place: text typed but not yet
 * saved, the focus and the caret carry over into the new form's fields when it labels the same trace and
 * criterion. A save that finishes while someone types re-renders the form; without this, the keystrokes typed
 * into the old field are gone and the next ones land on the page, where letters are shortcuts.
 */
export function keepTyping(pane: Element): () => void {
  const before = pane.querySelector<HTMLElement>(".pl-rubric");
  if (!before) return () => {};
  const key = before.dataset.for;
  const fields = DETAIL_FIELDS.map((selector) => {
    const field = before.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector);
    if (!field) return null;
    const focused = document.activeElement === field;
    return {
      selector,
      value: field.value,
      saved: field.dataset.saved,
      focused,
      start: field.selectionStart,
      end: field.selectionEnd
    };
  });
  return () => {
    const after = pane.querySelector<HTMLElement>(".pl-rubric");
    if (!after || after.dataset.for !== key) return;
    for (const kept of fields) {
      const field = kept && after.querySelector<HTMLInputElement | HTMLTextAreaElement>(kept.selector);
      if (!kept || !field || field.disabled) continue;
      if (kept.value !== kept.saved) field.value = kept.value;
      if (kept.focused) {
        field.focus();
        field.setSelectionRange(kept.start, kept.end);
      }
    }
  };
}
