/**
 * @module Text on its way to a terminal. Trace text, labels and failure-mode names are untrusted, and a control
 * character in them could clear the screen, retitle the window, hide a line or reverse the order of what it says.
 */
import type {Io} from "./command.js";

/**
 * C0 controls but tab and newline (ESC starts every escape sequence, BEL ends a title change, CR rewrites a line),
 * DEL, C1 controls (0x9b is a one-byte CSI), and the bidirectional marks, embeddings, overrides and isolates.
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every unsafe character written as a visible `\uXXXX` escape. An escape sequence is left as inert
 * text (`\u001b[2J`), which shows that something was there; and inside a JSON string the escape is JSON's own, so
 * a command's `--json` output still parses to the same values.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `io` with both of its streams passed through `terminalText`. */
export function terminalIo(io: Io): Io {
  return {...io, out: (text) => io.out(terminalText(text)), err: (text) => io.err(terminalText(text))};
}
