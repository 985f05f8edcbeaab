/**
 * @module Word n-grams of a message, as literal substrings of its lower-cased text: "error: payment amount", not the
 * tokens "error payment amount". A rule's `contains` check then finds exactly the text the n-gram was mined from,
 * with no regex to guard. Words are runs of letters, digits and `_`; two words form an n-gram only when a short
 * gap on one line (at most 3 characters: a space, ": ", "\", \"") separates them. Words with a digit (dates, prices,
 * ids, seat counts) are left out and end an n-gram: they name particular traces, not a kind of trace.
 */

export interface GramOptions {
  /** Longest n-gram, in words (default 3). */
  maxN?: number;
  /** Shortest single word kept (default 3 characters): "a", "to" and "is" separate nothing a person would name. */
  minWordChars?: number;
  /** Longest literal kept (default 60 characters). */
  maxChars?: number;
  /** Text read of each message, as the rule runtime reads it (default 10,000). */
  maxInputChars?: number;
}

const WORD = /[\p{L}\p{N}_]+/gu;

/** The distinct n-grams of one text. */
export function textGrams(text: string, options: GramOptions = {}): string[] {
  const maxN = options.maxN ?? 3;
  const minWord = options.minWordChars ?? 3;
  const maxChars = options.maxChars ?? 60;
  const lower = (
    text.length > (options.maxInputChars ?? 10_000) ? text.slice(0, options.maxInputChars ?? 10_000) : text
  ).toLowerCase();
  const starts: number[] = [];
  const ends: number[] = [];
  const numeric: boolean[] = [];
  for (const match of lower.matchAll(WORD)) {
    starts.push(match.index);
    ends.push(match.index + match[0].length);
    numeric.push(/\p{N}/u.test(match[0]));
  }
  const out = new Set<string>();
  for (let i = 0; i < starts.length; i++) {
    if (numeric[i]) continue;
    if (ends[i]! - starts[i]! >= minWord && ends[i]! - starts[i]! <= maxChars) out.add(lower.slice(starts[i], ends[i]));
    for (let n = 2; n <= maxN && i + n - 1 < starts.length; n++) {
      const j = i + n - 1;
      if (numeric[j]) break;
      const gap = starts[j]! - ends[j - 1]!;
      if (gap > 3 || lower.slice(ends[j - 1], starts[j]).includes("\n")) break;
      if (ends[j]! - starts[i]! > maxChars) break;
      out.add(lower.slice(starts[i], ends[j]));
    }
  }
  return [...out];
}

/** A reading of texts cached by text: system prompts and repeated tool results are read once, however many traces hold them. */
function cachedByText(read: (text: string) => string[]): (text: string) => readonly string[] {
  const cache = new Map<string, string[]>();
  return (text) => {
    let found = cache.get(text);
    if (!found) {
      found = read(text);
      cache.set(text, found);
    }
    return found;
  };
}

/** `textGrams`, cached by text. */
export function gramCache(options: GramOptions = {}): (text: string) => readonly string[] {
  return cachedByText((text) => textGrams(text, options));
}

/**
 * The opening one to three words of a text, with any short run of punctuation before them (`error:`,
 * `transfer successful`, `[{"flight_number`): what a message starts with, as a literal to anchor.
 */
export function textPrefixes(text: string, options: GramOptions = {}): string[] {
  const maxN = options.maxN ?? 3;
  const maxChars = options.maxChars ?? 60;
  const lower = text.slice(0, 400).toLowerCase().trimStart();
  const out: string[] = [];
  let n = 0;
  for (const match of lower.matchAll(WORD)) {
    const end = match.index + match[0].length;
    if (/\p{N}/u.test(match[0]) || end > maxChars) break;
    if (n === 0 && match.index > 3) break;
    if (
      n > 0 &&
      (match.index - (out.length ? out[out.length - 1]!.length : 0) > 3 ||
        lower.slice(out[out.length - 1]!.length, match.index).includes("\n"))
    )
      break;
    out.push(lower.slice(0, end));
    if (++n === maxN) break;
  }
  return out;
}

/** `textPrefixes`, cached by text. */
export function prefixCache(options: GramOptions = {}): (text: string) => readonly string[] {
  return cachedByText((text) => textPrefixes(text, options));
}
