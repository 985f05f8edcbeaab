/**
 * @module Filtering and sorting the trace list by row index, over plain columns.
 *
 * The list can hold a hundred thousand traces, so filters return an index array into the columns instead of
 * copying rows, and the page materializes only the rows on screen.
 */

export interface TraceListColumns {
  length: number;
  startTime: ArrayLike<number | null>;
  model: ArrayLike<string | null>;
  promptVersion: ArrayLike<string | null>;
  status: ArrayLike<string | null>;
  format: ArrayLike<string | null>;
  hasFeedback: ArrayLike<boolean | null>;
  toolErrorCount: ArrayLike<number | null>;
}

export interface TraceFilter {
  /** Inclusive bounds in epoch milliseconds; a trace with no start time passes only when both are null. */
  from: number | null;
  to: number | null;
  model: string | null;
  promptVersion: string | null;
  status: string | null;
  format: string | null;
  feedback: "any" | "with" | "without";
  toolErrors: boolean;
  /** Case-insensitive substring, matched against `search`. */
  text: string;
}

export const NO_FILTER: TraceFilter = {
  from: null,
  to: null,
  model: null,
  promptVersion: null,
  status: null,
  format: null,
  feedback: "any",
  toolErrors: false,
  text: ""
};

/**
 * Returns the indexes of the rows that pass, in column order. `search` holds each row's searchable text in lower
 * case; it is only read when the filter has text, so a caller can build it lazily.
 */
export function filterTraces(
  columns: TraceListColumns,
  filter: TraceFilter,
  search?: () => ArrayLike<string>
): Uint32Array {
  const out = new Uint32Array(columns.length);
  const text = filter.text.trim().toLowerCase();
  const haystack = text && search ? search() : null;
  let n = 0;
  for (let i = 0; i < columns.length; ++i) {
    if (filter.from !== null || filter.to !== null) {
      const t = columns.startTime[i];
      if (t === null || t === undefined) continue;
      if (filter.from !== null && t < filter.from) continue;
      if (filter.to !== null && t > filter.to) continue;
    }
    if (filter.model !== null && columns.model[i] !== filter.model) continue;
    if (filter.promptVersion !== null && columns.promptVersion[i] !== filter.promptVersion) continue;
    if (filter.status !== null && columns.status[i] !== filter.status) continue;
    if (filter.format !== null && columns.format[i] !== filter.format) continue;
    if (filter.feedback !== "any" && Boolean(columns.hasFeedback[i]) !== (filter.feedback === "with")) continue;
    if (filter.toolErrors && !((columns.toolErrorCount[i] ?? 0) > 0)) continue;
    if (haystack && !haystack[i]!.includes(text)) continue;
    out[n++] = i;
  }
  return out.slice(0, n);
}

/** Sorts row indexes by a column; nulls go last in both directions, ties keep their order. */
export function sortIndex(
  index: Uint32Array,
  values: ArrayLike<number | string | null>,
  descending: boolean
): Uint32Array {
  const sign = descending ? -1 : 1;
  const sorted = Array.from(index);
  sorted.sort((a, b) => {
    const va = values[a];
    const vb = values[b];
    const na = va === null || va === undefined;
    const nb = vb === null || vb === undefined;
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    return (va < vb ? -sign : va > vb ? sign : 0) || a - b;
  });
  return Uint32Array.from(sorted);
}

/** The distinct non-null values of a column, sorted, for a filter's choices. */
export function distinctValues(values: ArrayLike<string | null>): string[] {
  const set = new Set<string>();
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (v !== null && v !== undefined) set.add(v);
  }
  return [...set].sort();
}
