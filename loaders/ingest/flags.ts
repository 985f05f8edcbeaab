/**
 * @module Values the ingest keeps but flags: text with lone UTF-16 surrogates, numbers the store cannot hold, negative
 * durations and token counts. Each is counted per record in the summary, and the first few are named with their
 * file and line, so odd input is visible without being lost.
 *
 * The rule for text: a lone surrogate (half of a pair, as a stream cut in the middle of an emoji leaves it in a
 * `\ud83d` escape) is stored as U+FFFD, the replacement character, wherever a string enters the store.
 * The rule for numbers: a token count beyond 2^53 (no longer an exact integer in JSON's numbers) or a time beyond
 * ±8.64e15 ms (JavaScript's date range; DuckDB's timestamps reach further) is stored as unknown (NULL).
 */

export const FLAG_KINDS = ["loneSurrogates", "outOfRange", "negativeDuration", "negativeTokens"] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export type FlagCounts = Record<FlagKind, number>;

/** One flagged record, for the sample the CLI prints. */
export interface Flagged {
  file: string;
  line: number;
  element?: number;
  flag: FlagKind;
  detail: string;
}

/** Flagged records named per kind in the summary; the rest are counted only. */
export const FLAGGED_SAMPLE_PER_KIND = 3;

export function emptyFlagCounts(): FlagCounts {
  return {loneSurrogates: 0, outOfRange: 0, negativeDuration: 0, negativeTokens: 0};
}

/** Largest token count kept: beyond it a JSON number is no longer an exact integer. */
export const MAX_TOKENS = Number.MAX_SAFE_INTEGER;
/** Largest distance from the epoch, in milliseconds, of a time kept (JavaScript's date range). */
export const MAX_TIME_MS = 8.64e15;

/** Notes a flag on the record being staged; `stageFragment` calls it once per kind and value it changes. */
export type Note = (flag: FlagKind, detail: string) => void;

/**
 * Whether JSON text holds an escaped lone surrogate: a high one (`\uD800`–`\uDBFF`) not followed by an escaped low
 * one, or a low one not after a high one. Raw text cannot hold a lone one (strict UTF-8 decoding rejects encoded
 * surrogates), so only escapes need looking at, and an emoji escaped as a pair (as Python's `json.dumps` writes
 * it) does not cost a walk of the record. The parsed value is then checked precisely.
 */
export const SURROGATE_ESCAPE =
  /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]/;

const BACKSLASH_U = Buffer.from("\\u");

/**
 * Whether raw bytes hold any escaped surrogate, paired or not: one native search for `\u`, so a block without
 * escapes costs a single pass, and only the lines of a block that has one are tested with `SURROGATE_ESCAPE`.
 */
export function bytesMayHoldSurrogates(bytes: Buffer): boolean {
  let at = bytes.indexOf(BACKSLASH_U);
  while (at !== -1) {
    const d = bytes[at + 2];
    const h = bytes[at + 3];
    if (
      (d === 0x64 || d === 0x44) &&
      h !== undefined &&
      ((h >= 0x38 && h <= 0x39) || (h >= 0x61 && h <= 0x66) || (h >= 0x41 && h <= 0x46))
    ) {
      return true;
    }
    at = bytes.indexOf(BACKSLASH_U, at + 2);
  }
  return false;
}

/** ES2024's native checks (Node 20 has them; the project's TypeScript library is ES2023). */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Replaces lone surrogates in every string of a parsed JSON value (keys included) with U+FFFD, in place where it
 * can; returns the mended value and how many strings changed. Iterative, so a deeply nested value cannot overflow
 * the stack. Writes use `defineProperty`, so a `__proto__` key stays an own property as `JSON.parse` made it.
 */
export function mendSurrogates(value: unknown): {value: unknown; mended: number} {
  let mended = 0;
  const fix = (text: string): string => {
    if ((text as unknown as WellFormedString).isWellFormed()) return text;
    mended++;
    return (text as unknown as WellFormedString).toWellFormed();
  };
  if (typeof value === "string") return {value: fix(value), mended};
  const stack: object[] = [];
  if (typeof value === "object" && value !== null) stack.push(value);
  while (stack.length) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (typeof item === "string") node[i] = fix(item);
        else if (typeof item === "object" && item !== null) stack.push(item);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      let next = item;
      if (typeof item === "string") next = fix(item);
      else if (typeof item === "object" && item !== null) stack.push(item);
      const name = fix(key);
      if (name !== key) delete record[key];
      if (name !== key || next !== item)
        Object.defineProperty(record, name, {value: next, enumerable: true, writable: true, configurable: true});
    }
  }
  return {value, mended};
}

/** JSON text of a value whose strings may hold lone surrogates (a reader cut a string in a pair), mended. */
export function wellFormedJson(json: string): string {
  return JSON.stringify(mendSurrogates(JSON.parse(json)).value);
}
