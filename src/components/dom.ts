/**
 * @module A tiny element builder. Strings always become text nodes, never markup: trace content is untrusted,
 * and this is the only way components put text on the page.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  style?: string;
  attrs?: Record<string, string>;
  on?: {[K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void};
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props) {
    if (props.class) node.className = props.class;
    if (props.title) node.title = props.title;
    if (props.style) node.setAttribute("style", props.style);
    for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
    for (const [type, listener] of Object.entries(props.on ?? {}))
      node.addEventListener(type, listener as EventListener);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all of a node's children. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** A cell of `table` with props of its own (a number's alignment, a `data-` attribute) and any content. */
export class Cell {
  readonly content: Child[];
  constructor(
    readonly props: Props | null,
    ...content: Child[]
  ) {
    this.content = content;
  }
}

/** `new Cell(props, ...content)`, shorter in a row of cells. */
export function cell(props: Props | null, ...content: Child[]): Cell {
  return new Cell(props, ...content);
}

/** One body row of `table`: its cells, and its own props (e.g. a `data-` attribute a test or a click reads). */
export interface Row {
  props?: Props | null;
  cells: (Child | Cell)[];
}

const td = (c: Child | Cell) => (c instanceof Cell ? el("td", c.props, ...c.content) : el("td", null, c));

/** A row as `table` builds it, for a caller that keeps it: to mark it selected, or to open the row after it. */
export function tableRow(row: Row): HTMLTableRowElement {
  return el("tr", row.props ?? null, ...row.cells.map(td));
}

/** Rows kept together in a `tbody` of their own (a line and the details it opens), with the group's props. */
export function rowGroup(props: Props | null, ...rows: (Row | HTMLTableRowElement)[]): HTMLTableSectionElement {
  return el("tbody", props, ...rows.map((r) => (r instanceof HTMLTableRowElement ? r : tableRow(r))));
}

/**
 * A table: a header row (a header with props of its own is a `Cell`, e.g. a number column's alignment), then its
 * rows, each cell a `td`. Rows go into one `tbody`, always there even with no row, for a caller that fills it
 * later (`table.tBodies[0]`); a `rowGroup` is a `tbody` of its own.
 */
export function table(
  props: Props | null,
  headers: readonly (string | Cell)[],
  rows: readonly (Row | HTMLTableRowElement | HTMLTableSectionElement)[]
): HTMLTableElement {
  const th = (h: string | Cell) => (h instanceof Cell ? el("th", h.props, ...h.content) : el("th", null, h));
  const bodies: HTMLTableSectionElement[] = [];
  let loose: HTMLTableSectionElement | null = null;
  for (const r of rows) {
    if (r instanceof HTMLTableSectionElement) {
      bodies.push(r);
      loose = null;
      continue;
    }
    if (!loose) bodies.push((loose = el("tbody")));
    loose.appendChild(r instanceof HTMLTableRowElement ? r : tableRow(r));
  }
  if (!bodies.length) bodies.push(el("tbody"));
  return el("table", props, el("thead", null, el("tr", null, ...headers.map(th))), ...bodies);
}
