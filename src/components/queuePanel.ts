/**
 * @module The queue beside the trace: each item with its priority and the main reason for it, marked done once
 * the annotator has labelled it; a filter, and a bulk action that acts only on the items the filter shows.
 */
import type {QueueItem} from "../core/schemas/queue.js";
import {bulkTargets} from "../core/queue/progress.js";
import {el, replace} from "./dom.js";

export interface QueuePanel {
  node: HTMLElement;
  update(state: {
    items: readonly QueueItem[];
    current: number;
    done: ReadonlySet<string>;
    progress: string;
    readOnly: boolean;
  }): void;
}

export function queuePanel(on: {select(index: number): void; bulkPass(traceIds: string[]): void}): QueuePanel {
  const filter = el("input", {
    class: "pl-queue-filter",
    attrs: {type: "search", placeholder: "filter: trace id or reason", "aria-label": "Filter the queue"}
  });
  const progress = el("div", {class: "pl-progress"});
  const bulk = el("button", {class: "pl-bulk"}, "Pass all shown");
  const body = el("ol", {class: "pl-queue-items"});
  let last: Parameters<QueuePanel["update"]>[0] | null = null;
  const shown = (item: QueueItem) => {
    const text = filter.value.trim().toLowerCase();
    return (
      !text ||
      item.traceId.toLowerCase().includes(text) ||
      item.contributions.some((c) => c.reason.toLowerCase().includes(text))
    );
  };
  const render = () => {
    if (!last) return;
    const {items, current, done, readOnly} = last;
    progress.textContent = last.progress;
    const visible = items.map((item, i) => [item, i] as const).filter(([item]) => shown(item));
    const open = bulkTargets(items, shown).filter((id) => !done.has(id));
    bulk.textContent = `Pass all shown (${open.length})`;
    bulk.disabled = readOnly || open.length === 0;
    replace(
      body,
      ...visible.map(([item, i]) =>
        el(
          "li",
          {
            class: `pl-queue-item${i === current ? " pl-queue-current" : ""}${done.has(item.traceId) ? " pl-queue-done" : ""}`,
            attrs: {"data-trace": item.traceId},
            on: {click: () => on.select(i)}
          },
          el("span", {class: "pl-mono pl-ellipsis"}, item.traceId),
          el("span", {class: "pl-num pl-muted"}, item.random ? "random" : item.score ? item.score.toFixed(1) : ""),
          el("span", {class: "pl-queue-why pl-muted pl-ellipsis"}, item.contributions[0]?.reason ?? "")
        )
      )
    );
  };
  filter.addEventListener("input", render);
  bulk.addEventListener("click", () => {
    if (!last) return;
    const done = last.done;
    const targets = bulkTargets(last.items, shown).filter((id) => !done.has(id));
    if (targets.length && confirm(`Label ${targets.length} shown trace${targets.length === 1 ? "" : "s"} as pass?`))
      on.bulkPass(targets);
  });
  return {
    node: el("div", {class: "pl-pane pl-queue"}, progress, el("div", {class: "pl-queue-tools"}, filter, bulk), body),
    update(state) {
      last = state;
      render();
      body.querySelector(".pl-queue-current")?.scrollIntoView({block: "nearest"});
    }
  };
}
