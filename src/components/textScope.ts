/**
 * @module Turns the reader's text selection inside one message into a label scope: the message's position,
 * character offsets into its content and the quoted text. A selection across messages, or outside any, is none.
 */
import type {Scope} from "../core/schemas/annotation.js";

export type TextScope = Extract<Scope, {kind: "text"}>;

export function selectedTextScope(root: HTMLElement, spanOf: (messageIndex: number) => string | null): TextScope | null {
  const selection = getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const content = (node: Node) => (node instanceof Element ? node : node.parentElement)?.closest(".pl-msg .pl-content") ?? null;
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
