/**
 * @module The trace explorer: filters and the trace list on the left, the selected trace on the right. The
 * selection lives in the URL (`#trace=<id>`, or `?trace=<id>` on arrival) so a trace can be linked to.
 */
import {NO_FILTER, filterTraces} from "../core/explore/filter.js";
import type {DetailReader} from "./detailReader.js";
import {el, replace} from "./dom.js";
import {filterBar} from "./filterBar.js";
import {traceTable} from "./traceTable.js";
import type {TraceList} from "./traceList.js";
import {traceView} from "./traceView.js";

function linkedTrace(): string | null {
  const hash = new URLSearchParams(location.hash.slice(1)).get("trace");
  return hash ?? new URLSearchParams(location.search).get("trace");
}

export function explorer(list: TraceList, details: DetailReader): HTMLElement {
  const view = el("div", {class: "pl-pane pl-detail"});
  let request = 0;

  async function show(traceId: string | null) {
    const i = traceId === null ? -1 : list.indexOf(traceId);
    if (traceId === null || i < 0) {
      replace(view, el("p", {class: "pl-muted pl-placeholder"},
        traceId === null ? "Select a trace to see its conversation and spans." : `No trace with id ${traceId} in this workspace.`));
      return;
    }
    const row = list.row(i);
    const mine = ++request;
    replace(view, traceView(row, {state: "loading"}));
    let state: Parameters<typeof traceView>[1];
    try {
      const detail = await details.get(traceId);
      state = detail ? {state: "ready", detail} : {state: "missing"};
    } catch (error) {
      state = {state: "error", error};
    }
    // A slower earlier request must not replace the trace chosen after it.
    if (mine === request) replace(view, traceView(row, state));
  }

  const table = traceTable(list, (traceId) => {
    history.replaceState(null, "", `#trace=${encodeURIComponent(traceId)}`);
    void show(traceId);
  });
  const filters = filterBar(list, (filter) => {
    const rows = filterTraces(list, filter, list.search);
    filters.setCount(rows.length, list.length);
    table.setRows(rows);
  });
  const all = filterTraces(list, NO_FILTER);
  filters.setCount(all.length, list.length);
  table.setRows(all);

  // Load the detail index while the user reads the list, so the first trace opens as fast as the next ones.
  setTimeout(() => details.warm(), 0);
  const initial = linkedTrace();
  table.select(initial);
  void show(initial);
  addEventListener("hashchange", () => {
    const traceId = linkedTrace();
    table.select(traceId);
    void show(traceId);
  });

  return el("div", {class: "pl-explorer"}, el("div", {class: "pl-pane pl-list"}, filters.node, table.node), view);
}
