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

/** A table: a header row of plain text, then one row a record, each cell a `td`. */
export function table(props: Props | null, headers: readonly string[], rows: readonly Row[]): HTMLTableElement {
  const td = (c: Child | Cell) => (c instanceof Cell ? el("td", c.props, ...c.content) : el("td", null, c));
  return el(
    "table",
    props,
    el("thead", null, el("tr", null, ...headers.map((h) => el("th", null, h)))),
    el("tbody", null, ...rows.map((r) => el("tr", r.props ?? null, ...r.cells.map(td))))
  );
}
