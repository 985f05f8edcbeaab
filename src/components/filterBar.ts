/**
 * @module The explorer's filter controls. Calls `onChange` with a complete filter whenever a control changes
 * (text after a short pause, so typing through a large list stays smooth).
 */
import {distinctValues, type TraceFilter} from "../core/explore/filter.js";
import {el} from "./dom.js";
import type {TraceList} from "./traceList.js";

export interface FilterBar {
  node: HTMLElement;
  setCount(shown: number, total: number): void;
}

/** `initial` sets the controls (a filter read from the URL); `onChange` is not called for it. */
export function filterBar(list: TraceList, initial: TraceFilter, onChange: (filter: TraceFilter) => void): FilterBar {
  let filter: TraceFilter = {...initial};
  const update = (patch: Partial<TraceFilter>) => {
    filter = {...filter, ...patch};
    onChange(filter);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const search = el("input", {
    class: "pl-search",
    attrs: {
      type: "search",
      placeholder: "Search id, name, session, first message…",
      "aria-label": "Search traces",
      value: initial.text
    },
    on: {
      input: () => {
        clearTimeout(timer);
        timer = setTimeout(() => update({text: search.value}), 150);
      }
    }
  });

  const choice = (label: string, values: string[], key: "model" | "promptVersion" | "status" | "format") => {
    // A value linked to that this workspace lacks still shows, so the empty list it gives is explained.
    const wanted = initial[key];
    const options = wanted !== null && !values.includes(wanted) ? [...values, wanted] : values;
    const select = el(
      "select",
      {attrs: {"aria-label": label}, on: {change: () => update({[key]: select.value || null})}},
      el("option", {attrs: {value: ""}}, `${label}: all`),
      ...options.map((v) => el("option", {attrs: {value: v}}, v))
    );
    select.value = wanted ?? "";
    return options.length ? select : null;
  };

  // Times are entered and shown in UTC, like the list, so a copied timestamp filters as it reads.
  const time = (label: string, key: "from" | "to") => {
    const input = el("input", {
      attrs: {type: "datetime-local", "aria-label": `${label} (UTC)`, title: `${label} (UTC)`},
      on: {change: () => update({[key]: input.value ? Date.parse(`${input.value}Z`) : null})}
    });
    const ms = initial[key];
    if (ms !== null) input.value = new Date(ms).toISOString().slice(0, 16);
    return input;
  };

  const feedback = el(
    "select",
    {
      attrs: {"aria-label": "Feedback"},
      on: {change: () => update({feedback: feedback.value as TraceFilter["feedback"]})}
    },
    el("option", {attrs: {value: "any"}}, "Feedback: any"),
    el("option", {attrs: {value: "with"}}, "With feedback"),
    el("option", {attrs: {value: "without"}}, "Without feedback")
  );

  feedback.value = initial.feedback;
  const toolErrors = el("input", {
    attrs: {type: "checkbox"},
    on: {change: () => update({toolErrors: toolErrors.checked})}
  });
  toolErrors.checked = initial.toolErrors;
  const count = el("span", {class: "pl-count"});

  const node = el(
    "div",
    {class: "pl-filters"},
    el("div", {class: "pl-filter-row"}, search, count),
    el(
      "div",
      {class: "pl-filter-row"},
      choice("Model", distinctValues(list.model), "model"),
      choice("Prompt", distinctValues(list.promptVersion), "promptVersion"),
      choice("Status", distinctValues(list.status), "status"),
      choice("Format", distinctValues(list.format), "format"),
      feedback,
      el("label", {class: "pl-check"}, toolErrors, "Tool errors")
    ),
    el(
      "div",
      {class: "pl-filter-row"},
      el("span", {class: "pl-muted"}, "From"),
      time("From", "from"),
      el("span", {class: "pl-muted"}, "to"),
      time("To", "to"),
      el("span", {class: "pl-muted"}, "UTC")
    )
  );
  return {
    node,
    setCount(shown, total) {
      count.textContent =
        shown === total
          ? `${total.toLocaleString("en-US")} traces`
          : `${shown.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} traces`;
    }
  };
}
