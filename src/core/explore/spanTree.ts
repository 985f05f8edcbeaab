/**
 * @module A trace's spans as a tree, flattened in display order with depths, for an indented tree or waterfall.
 *
 * Sources disagree about parents: a parent may be missing (a partial export) or, in broken data, a span may be
 * its own ancestor. Spans whose parent is unknown become roots, and a cycle is broken where it is found, so
 * every span is shown exactly once.
 */

export interface TreeSpan {
  spanId: string;
  parentSpanId: string | null;
  startTime: number | null;
  endTime: number | null;
}

export interface SpanRow<S extends TreeSpan> {
  span: S;
  depth: number;
  /** Number of spans below this one. */
  descendants: number;
}

export interface SpanTree<S extends TreeSpan> {
  rows: SpanRow<S>[];
  /** Earliest start and latest end over all spans; null when no span has a time. */
  start: number | null;
  end: number | null;
}

function byStart(a: TreeSpan, b: TreeSpan): number {
  const sa = a.startTime ?? Infinity;
  const sb = b.startTime ?? Infinity;
  return sa - sb || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

export function spanTree<S extends TreeSpan>(spans: readonly S[]): SpanTree<S> {
  const byId = new Map<string, S>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const children = new Map<string | null, S[]>();
  for (const span of byId.values()) {
    const parent =
      span.parentSpanId !== null && span.parentSpanId !== span.spanId && byId.has(span.parentSpanId)
        ? span.parentSpanId
        : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(span);
  }
  for (const list of children.values()) list.sort(byStart);

  const rows: SpanRow<S>[] = [];
  const visited = new Set<string>();
  // Iterative depth-first walk: agent runs can nest deeply enough to overflow a recursive one.
  const visit = (root: S) => {
    const stack: [S, number][] = [[root, 0]];
    const open: SpanRow<S>[] = [];
    while (stack.length) {
      const [span, depth] = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      while (open.length > depth) open.pop();
      const row = {span, depth, descendants: 0};
      for (const ancestor of open) ++ancestor.descendants;
      open.push(row);
      rows.push(row);
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; --i) stack.push([kids[i]!, depth + 1]);
    }
  };
  for (const root of children.get(null) ?? []) visit(root);
  // Spans only reachable through a cycle were never visited from a root; each remaining one starts a tree.
  for (const span of [...byId.values()].sort(byStart)) if (!visited.has(span.spanId)) visit(span);

  let start: number | null = null;
  let end: number | null = null;
  for (const {span} of rows) {
    if (span.startTime !== null && (start === null || span.startTime < start)) start = span.startTime;
    const last = span.endTime ?? span.startTime;
    if (last !== null && (end === null || last > end)) end = last;
  }
  return {rows, start, end};
}
