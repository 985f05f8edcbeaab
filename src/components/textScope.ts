/**
 * @module Turns what the reader selected into a label scope: text inside one message (the message's position,
 * character offsets into its content and the quoted text), or an open span in the span tree. A selection across
 * messages, or outside any, is none. It also marks, in the trace view, what existing labels cover.
 */
import type {Scope} from "../core/schemas/annotation.js";

export type TextScope = Extract<Scope, {kind: "text"}>;

export function selectedTextScope(
  root: HTMLElement,
  spanOf: (messageIndex: number) => string | null
): TextScope | null {
  const selection = getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const content = (node: Node) =>
    (node instanceof Element ? node : node.parentElement)?.closest(".pl-msg .pl-content") ?? null;
  const container = content(range.startContainer);
  if (!container || container !== content(range.endContainer) || !root.contains(container)) return null;
  const message = container.closest<HTMLElement>(".pl-msg");
  const messageIndex = Number(message?.dataset.message);
  if (!Number.isInteger(messageIndex) || messageIndex < 0) return null;
  // Offsets count characters from the start of the message's text, whatever nodes the text is split into.
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const quote = range.toString();
  if (!quote.trim()) return null;
  return {kind: "text", messageIndex, spanId: spanOf(messageIndex), start, end: start + quote.length, quote};
}

/**
 * Marks the characters each text-range label covers in its message, so a reader sees what was labelled. Marks are
 * rebuilt from scratch on every call (a deleted or undone label loses its mark), and a range whose characters no
 * longer read as its quote (a long message shown cut short) is left unmarked rather than marked wrongly. Only text
 * nodes are split and wrapped: the message stays text.
 */
export function markTextRanges(root: HTMLElement, ranges: readonly {scope: TextScope; failing: boolean}[]): void {
  for (const mark of root.querySelectorAll("mark.pl-range")) {
    const parent = mark.parentNode;
    mark.replaceWith(...mark.childNodes);
    parent?.normalize();
  }
  for (const {scope, failing} of ranges) {
    const container = root.querySelector(`.pl-msg[data-message="${scope.messageIndex}"] .pl-content`);
    if (!container || container.textContent?.slice(scope.start, scope.end) !== scope.quote) continue;
    const range = document.createRange();
    let offset = 0;
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = node.textContent?.length ?? 0;
      if (scope.start >= offset && scope.start <= offset + length) range.setStart(node, scope.start - offset);
      if (scope.end >= offset && scope.end <= offset + length) {
        range.setEnd(node, scope.end - offset);
        break;
      }
      offset += length;
    }
    const mark = document.createElement("mark");
    mark.className = `pl-range ${failing ? "pl-range-fail" : "pl-range-pass"}`;
    mark.title = "labelled range";
    try {
      range.surroundContents(mark);
    } catch {
      // Overlaps an earlier mark: the first label's mark stands for both.
    }
  }
}

export type SpanScope = Extract<Scope, {kind: "span"}>;

/** The span open in a visible span tree, when there is one: a verdict then labels that span, not the trace. */
export function selectedSpanScope(root: HTMLElement): SpanScope | null {
  const row = root.querySelector<HTMLElement>(".pl-span.pl-span-selected");
  const spanId = row?.dataset.spanId;
  // A span opened on the Spans tab and left behind when the reader went back to the conversation does not count.
  if (!row || !spanId || row.offsetParent === null) return null;
  return {kind: "span", spanId};
}

/** Marks the span rows that carry labels, failing over passing when a span has both. */
export function markLabelledSpans(root: HTMLElement, spans: readonly {spanId: string; failing: boolean}[]): void {
  const failing = new Map<string, boolean>();
  for (const {spanId, failing: fails} of spans) failing.set(spanId, (failing.get(spanId) ?? false) || fails);
  for (const row of root.querySelectorAll<HTMLElement>(".pl-span[data-span-id]")) {
    const labelled = failing.get(row.dataset.spanId ?? "");
    row.classList.toggle("pl-span-labelled-fail", labelled === true);
    row.classList.toggle("pl-span-labelled-pass", labelled === false);
    if (labelled === undefined) row.removeAttribute("title");
    else row.title = labelled ? "labelled: fail" : "labelled: pass";
  }
}
