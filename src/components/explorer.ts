/**
 * @module The trace explorer: filters and the trace list on the left, the selected trace on the right. The
 * selection and the filters live in the URL (`#status=error&q=refund&trace=<id>`, or `?trace=<id>` on arrival) so
 * a trace or a filtered list can be linked to.
 */
import {filterTraces, type TraceFilter} from "../core/explore/filter.js";
import {filterFromParams, filterToParams} from "../core/explore/filterUrl.js";
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

/** `invalidation`: resolves when the page replaces this explorer (a live update), which then stops listening. */
export function explorer(list: TraceList, details: DetailReader, invalidation?: Promise<unknown>): HTMLElement {
  const view = el("div", {class: "pl-pane pl-detail"});
  let request = 0;

  async function show(traceId: string | null) {
    const i = traceId === null ? -1 : list.indexOf(traceId);
    if (traceId === null || i < 0) {
      replace(
        view,
        el(
          "p",
          {class: "pl-muted pl-placeholder"},
          traceId === null
            ? "Select a trace to see its conversation and spans."
            : `No trace with id ${traceId} in this workspace.`
        )
      );
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

  let filter: TraceFilter = filterFromParams(new URLSearchParams(location.hash.slice(1)));
  let selected: string | null = null;
  const writeUrl = () => {
    const params = new URLSearchParams(filterToParams(filter));
    if (selected !== null) params.set("trace", selected);
    const hash = params.toString();
    history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
  };

  const table = traceTable(list, (traceId) => {
    selected = traceId;
    writeUrl();
    void show(traceId);
  });
  const apply = () => {
    const rows = filterTraces(list, filter, list.search);
    filters.setCount(rows.length, list.length);
    table.setRows(rows);
  };
  const filters = filterBar(list, filter, (next) => {
    filter = next;
    writeUrl();
    apply();
  });
  apply();

  // Load the detail index while the user reads the list, so the first trace opens as fast as the next ones.
  setTimeout(() => details.warm(), 0);
  const initial = linkedTrace();
  selected = initial;
  table.select(initial);
  void show(initial);
  const onHash = () => {
    const traceId = linkedTrace();
    selected = traceId;
    table.select(traceId);
    void show(traceId);
  };
  addEventListener("hashchange", onHash);
  void invalidation?.then(() => removeEventListener("hashchange", onHash));

  return el("div", {class: "pl-explorer"}, el("div", {class: "pl-pane pl-list"}, filters.node, table.node), view);
}

/** What the Traces page renders: the list's Arrow bytes, the detail file's URL and the traces still receiving. */
export interface LiveSnapshot {
  bytes: ArrayBuffer;
  detailsUrl: string;
  receiving: ReadonlySet<string>;
}

interface LiveAnswer {
  stored: number;
  receiving: Record<string, number>;
}

/**
 * The Traces page's live view under `plumbline start`: yields the built snapshot first, then polls `GET /api/live`
 * every `everyMs` and yields again when the store has taken in new spans (the list and detail files are fetched
 * anew: the server clears the pages' loader cache as spans arrive, so their loaders run again) or when the set of
 * traces still receiving changes. A static build has no API (`api` false): it keeps the snapshot as built, and a
 * failed poll ends the feed the same way.
 */
export async function* liveTraces(
  listUrl: string,
  detailsUrl: string,
  initial: ArrayBuffer | Promise<ArrayBuffer>,
  api = true,
  everyMs = 2000
): AsyncGenerator<LiveSnapshot> {
  let current: LiveSnapshot = {bytes: await initial, detailsUrl, receiving: new Set()};
  yield current;
  if (!api) return;
  // The receiver counts spans stored since the server started. Starting from 0 rather than from the first answer
  // costs one extra fetch of the list when the page opens on a server that has received spans, and never misses
  // spans that arrive between the snapshot and the first poll.
  let stored = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    let answer: LiveAnswer;
    try {
      const response = await fetch("/api/live", {cache: "no-store"});
      if (!response.ok) return;
      answer = (await response.json()) as LiveAnswer;
    } catch {
      return;
    }
    const receiving = new Set(Object.keys(answer.receiving));
    const sameReceiving =
      receiving.size === current.receiving.size && [...receiving].every((id) => current.receiving.has(id));
    if (answer.stored !== stored) {
      stored = answer.stored;
      const separator = (url: string) => (url.includes("?") ? "&" : "?");
      try {
        const response = await fetch(`${listUrl}${separator(listUrl)}live=${stored}`, {cache: "no-store"});
        if (!response.ok) continue;
        current = {
          bytes: await response.arrayBuffer(),
          detailsUrl: `${detailsUrl}${separator(detailsUrl)}live=${stored}`,
          receiving
        };
      } catch {
        continue;
      }
      yield current;
    } else if (!sameReceiving) {
      current = {...current, receiving};
      yield current;
    }
  }
}
