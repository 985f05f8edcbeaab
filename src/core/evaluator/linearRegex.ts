/**
 * @module Spec regexes, written in JavaScript's syntax, matched by RE2's linear-time engine (the `re2js` port,
 * pure JavaScript, so pages and the CLI run the same matcher).
 *
 * A backtracking engine such as V8's can take exponential or cubic time on patterns like `(a+)+$` or `a*a*c`, and
 * no syntactic check finds every such pattern. RE2 matches in time linear in the text for every pattern it
 * accepts, so a spec's regex cannot stall a run whatever it says.
 *
 * Specs keep JavaScript's syntax and flags (`i`, `m`, `s`, `u`): a pattern is first parsed by JavaScript's own
 * `RegExp` constructor (never run), so exactly the patterns that were valid stay valid and errors read as before;
 * then it is rewritten where RE2 reads the same text differently:
 * - `\s` and `\S` are JavaScript's whitespace (which includes U+00A0, U+2028, U+FEFF…), not RE2's ASCII five;
 * - `.` without `s` excludes `\r`, U+2028 and U+2029 as well as `\n`;
 * - `\uXXXX` (a surrogate pair joined), `\u{…}`, `\cX` and `\0` become RE2's `\x{…}`;
 * - an escaped letter without meaning (`\a`, `\z`, `\Q` outside the `u` flag) is the letter itself, as in
 *   JavaScript, not RE2's bell, end of text or quoting;
 * - `[]` matches nothing and `[^]` anything; `[\b]` is a backspace;
 * - with `m`, `^` also follows `\r`, U+2028 and U+2029, and a final `$` also precedes them.
 * Groups become non-capturing (a rule only asks whether a text matches), which also lets them sit inside a
 * lookbehind. What RE2 cannot do is refused with a message that says so: backreferences and lookahead.
 *
 * Known differences that remain: RE2 reads code points, as JavaScript does only with `u`; its case folding under
 * `i` is Unicode's (`k` also matches the Kelvin sign U+212A, `s` the long s U+017F), where JavaScript without `u`
 * folds by upper-casing; a `$` with `m` that is not the pattern's last character sees only `\n` as a line end;
 * repeat counts above 1,000 and Unicode property names other than RE2's (`\p{L}` is accepted, `\p{Letter}` is not)
 * are refused.
 */
import {RE2JS} from "re2js";
import {PlumblineError} from "../errors.js";

/** Thrown when a pattern cannot be compiled; the message names the pattern and what to change. */
export class LinearRegexError extends PlumblineError {
  override readonly name = "LinearRegexError";
}

/** JavaScript's `\s`: WhiteSpace and LineTerminator of ECMA-262, as RE2 class items. */
const SPACE =
  "\\t\\n\\x0b\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
/** Every code point outside JavaScript's `\s`, for `\S` inside a class, where RE2 cannot negate a part. */
const NOT_SPACE =
  "\\x00-\\x08\\x0e-\\x1f\\x21-\\x9f\\x{a1}-\\x{167f}\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}\\x{202a}-\\x{202e}" +
  "\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}\\x{ff00}-\\x{10ffff}";
/** JavaScript's line terminators other than `\n`, which RE2's `.`, `^` and `$` do not know. */
const OTHER_LINE_ENDS = "\\r\\x{2028}\\x{2029}";

/** Compiles a spec's pattern and flags for RE2; throws a `LinearRegexError` naming the pattern when it cannot. */
export function compileLinearRegex(pattern: string, flags = ""): RE2JS {
  const quoted = JSON.stringify(pattern);
  try {
    // Parsed, never run: JavaScript's parser keeps the spec language's syntax and its error messages.
    new RegExp(pattern, flags);
  } catch (error) {
    throw new LinearRegexError(`regex ${quoted}: ${(error as Error).message}`);
  }
  const source = toRe2Syntax(pattern, flags);
  let re2Flags = RE2JS.LOOKBEHINDS;
  if (flags.includes("i")) re2Flags |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) re2Flags |= RE2JS.MULTILINE;
  if (flags.includes("s")) re2Flags |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(source, re2Flags);
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, "");
    throw new LinearRegexError(
      `regex ${quoted}: RE2, the linear-time engine rules run on, cannot compile it (${message}); simplify the pattern`
    );
  }
}

/**
 * Rewrites a pattern that JavaScript accepts into RE2's syntax with the same meaning (see the module comment for
 * what differs). Throws a `LinearRegexError` for backreferences and lookahead, which RE2 does not have.
 */
export function toRe2Syntax(pattern: string, flags = ""): string {
  const unicode = flags.includes("u");
  const multiline = flags.includes("m");
  const dotAll = flags.includes("s");
  const refuse = (what: string, advice: string) =>
    new LinearRegexError(
      `regex ${JSON.stringify(pattern)}: ${what} are not supported by RE2, the linear-time engine rules run on; ${advice}`
    );
  let out = "";
  let depth = 0;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1] ?? "";
      if (/[1-9]/.test(next) || (next === "k" && pattern[i + 2] === "<")) {
        throw refuse("backreferences", "match the repeated text literally or split the check into two conditions");
      }
      if (next === "s") out += `[${SPACE}]`;
      else if (next === "S") out += `[^${SPACE}]`;
      else if (next === "b" || next === "B") out += `\\${next}`;
      else {
        const [item, length] = escapeItem(pattern, i, unicode);
        out += item;
        i += length;
        continue;
      }
      i += 2;
      continue;
    }
    if (ch === "[") {
      const [item, length] = characterClass(pattern, i, unicode);
      out += item;
      i += length;
      continue;
    }
    if (ch === "(") {
      if (pattern.startsWith("(?=", i) || pattern.startsWith("(?!", i)) {
        throw refuse("lookaheads ((?= and (?!)", "test what follows with a second condition instead");
      }
      depth++;
      if (pattern.startsWith("(?<=", i) || pattern.startsWith("(?<!", i)) {
        out += pattern.slice(i, i + 4);
        i += 4;
      } else if (pattern.startsWith("(?:", i)) {
        out += "(?:";
        i += 3;
      } else if (pattern.startsWith("(?<", i)) {
        out += "(?:";
        i = pattern.indexOf(">", i) + 1;
      } else {
        out += "(?:";
        i++;
      }
      continue;
    }
    if (ch === ")") depth--;
    if (ch === "." && !dotAll) {
      out += `[^\\n${OTHER_LINE_ENDS}]`;
    } else if (ch === "^" && multiline) {
      out += `(?:^|(?<=[${OTHER_LINE_ENDS}]))`;
    } else if (ch === "$" && multiline && depth === 0 && i === pattern.length - 1) {
      // With nothing after it, a `$` that consumes the line end it stands before finds the same matches.
      out += `(?:$|[${OTHER_LINE_ENDS}])`;
    } else {
      out += ch;
    }
    i++;
  }
  return out;
}

/** One escape outside or inside a class (not `\s`, `\S`, `\b`, `\B`, backreferences): RE2 text and source length. */
function escapeItem(pattern: string, at: number, unicode: boolean): [string, number] {
  const next = pattern[at + 1] ?? "";
  const rest = pattern.slice(at);
  if (/^[dDwWtnrfv]$/.test(next)) return [`\\${next}`, 2];
  if (next === "0" && !/[0-9]/.test(pattern[at + 2] ?? "")) return ["\\x00", 2];
  // Outside the `u` flag a digit escape that is no backreference is a legacy octal escape (`\012` is `\n`).
  const octal = unicode ? null : /^\\([0-3][0-7]{0,2}|[4-7][0-7]?)/.exec(rest);
  if (octal) return [codePoint(Number.parseInt(octal[1]!, 8)), octal[0].length];
  const hex = /^\\x([0-9a-fA-F]{2})/.exec(rest);
  if (hex) return [`\\x${hex[1]}`, 4];
  const pair = /^\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})/i.exec(rest);
  if (pair) {
    const high = Number.parseInt(pair[1]!, 16);
    const low = Number.parseInt(pair[2]!, 16);
    return [codePoint((high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000), 12];
  }
  const unit = /^\\u([0-9a-fA-F]{4})/.exec(rest);
  if (unit) return [codePoint(Number.parseInt(unit[1]!, 16)), 6];
  const braced = unicode ? /^\\u\{([0-9a-fA-F]+)\}/.exec(rest) : null;
  if (braced) return [codePoint(Number.parseInt(braced[1]!, 16)), braced[0].length];
  const control = /^\\c([A-Za-z])/.exec(rest);
  if (control) return [codePoint(control[1]!.charCodeAt(0) % 32), 3];
  if (unicode && (next === "p" || next === "P")) {
    const property = /^\\[pP]\{[^}]*\}/.exec(rest);
    if (property) return [property[0], property[0].length];
  }
  // Outside the `u` flag `\c` before a non-letter is a backslash and a `c`.
  if (next === "c") return ["\\\\c", 2];
  // Any other escape is the character itself: punctuation stays escaped, a letter or digit (`\a`, `\z`, `\8`) is
  // that letter, where RE2 would read a bell or an end of text.
  const char = String.fromCodePoint(pattern.codePointAt(at + 1) ?? 0);
  return [/^[A-Za-z0-9]$/.test(char) || char.codePointAt(0)! > 0x7f ? literal(char) : `\\${char}`, 1 + char.length];
}

/** A character class from `[` to its `]`, as RE2 text, and its source length. */
function characterClass(pattern: string, at: number, unicode: boolean): [string, number] {
  let i = at + 1;
  let negated = false;
  if (pattern[i] === "^") {
    negated = true;
    i++;
  }
  // JavaScript's `[]` is an empty class, where RE2 would read `]` as its first member.
  if (pattern[i] === "]") return [negated ? "[\\x00-\\x{10ffff}]" : "[^\\x00-\\x{10ffff}]", i + 1 - at];
  let body = "";
  while (i < pattern.length && pattern[i] !== "]") {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1] ?? "";
      if (next === "s") body += SPACE;
      else if (next === "S") body += NOT_SPACE;
      else if (next === "b") body += "\\x08";
      else {
        const [item, length] = escapeItem(pattern, i, unicode);
        body += item;
        i += length;
        continue;
      }
      i += 2;
      continue;
    }
    body += ch === "[" ? "\\[" : ch;
    i++;
  }
  return [`[${negated ? "^" : ""}${body}]`, i + 1 - at];
}

function codePoint(value: number): string {
  return `\\x{${value.toString(16)}}`;
}

function literal(char: string): string {
  return /^[A-Za-z0-9]$/.test(char) ? char : codePoint(char.codePointAt(0)!);
}
