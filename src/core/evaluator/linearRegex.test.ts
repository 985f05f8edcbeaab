import assert from "node:assert/strict";
import {describe, test} from "node:test";
import fc from "fast-check";
import {compileLinearRegex, LinearRegexError, toRe2Syntax} from "./linearRegex.js";

/** Whether JavaScript's engine and the RE2 translation agree on `text`. */
function agree(pattern: string, flags: string, text: string): void {
  const expected = new RegExp(pattern, flags).test(text);
  assert.equal(
    compileLinearRegex(pattern, flags).test(text),
    expected,
    `/${pattern}/${flags} on ${JSON.stringify(text)} → RE2 ${JSON.stringify(toRe2Syntax(pattern, flags))}`
  );
}

describe("compileLinearRegex(pattern, flags)", () => {
  test("reads JavaScript's syntax where RE2's differs: \\s, dot, \\u escapes, letter escapes, [] and [^], [\\b]", () => {
    const cases: [string, string, string][] = [
      ["^\\s*refund", "i", "\u00a0\u2028\ufeffRefund"],
      ["a\\Sb", "", "a\u00a0b"],
      ["[\\S]x", "", "\u3000x"],
      ["[^\\s]x", "", " x"],
      ["a.b", "", "a\rb"],
      ["a.b", "", "a\u2029b"],
      ["a.b", "s", "a\rb"],
      ["caf\\u00e9", "i", "CAFÉ"],
      ["\\uD83D\\uDE00", "", "smile 😀"],
      ["\\u{1F600}", "u", "smile 😀"],
      ["\\a\\z\\Q", "", "azQ"],
      ["\\cJ\\0", "", "\n\0"],
      ["\\012", "", "\n"],
      ["x[]", "", "x]"],
      ["x[^]y", "", "x\ny"],
      ["[\\b]", "", "\b"],
      ["[[:alpha:]]", "", "a"],
      ["[[:alpha:]]", "", ":]"],
      ["a{,2}", "", "a{,2}"],
      ["\\p{L}", "", "p{L}"],
      ["\\p{L}", "u", "é"],
      ["(?<word>\\w+) \\$5", "", "pay $5"],
      ["(?<=refund )of", "", "refund of"],
      ["(?<!no )refund", "", "no refund"]
    ];
    for (const [pattern, flags, text] of cases) {
      agree(pattern, flags, text);
      agree(pattern, flags, `${text}~`.slice(1));
    }
  });

  test("with the m flag, ^ follows and a final $ precedes \\r, U+2028 and U+2029 as in JavaScript", () => {
    for (const text of ["x\rfoo", "x\r\nfoo", "x\u2028foo", "foo\r\nbar", "foo\u2029", "foo", "xfoo", "foox"]) {
      agree("^foo", "m", text);
      agree("foo$", "m", text);
      agree("^foo$", "m", text);
    }
  });

  test("refuses backreferences and lookaheads, and patterns JavaScript refuses, with the pattern in the message", () => {
    assert.throws(
      () => compileLinearRegex("(a)\\1"),
      (e: Error) => e instanceof LinearRegexError && e.message.startsWith('regex "(a)\\\\1": backreferences')
    );
    assert.throws(() => compileLinearRegex("x(?=y)"), /lookaheads/);
    assert.throws(() => compileLinearRegex("x(?!y)"), /lookaheads/);
    assert.throws(() => compileLinearRegex("(x"), /regex "\(x": Invalid regular expression/);
    assert.throws(() => compileLinearRegex("\\p{Letter}", "u"), /RE2.*cannot compile it/);
  });

  test("agrees with JavaScript's engine on random patterns and texts (property)", () => {
    const atom = fc.constantFrom(
      "a",
      "b",
      "A",
      "é",
      " ",
      "\\s",
      "\\S",
      "\\d",
      "\\w",
      "\\W",
      ".",
      "[ab]",
      "[^a\\s]",
      "[\\s1]",
      "[a-c]",
      "\\u00e9",
      "\\x41",
      "\\.",
      "\\b",
      "\\B",
      "^",
      "\\n",
      "\\r"
    );
    const pattern: fc.Arbitrary<string> = fc.letrec<{node: string}>((tie) => ({
      node: fc.oneof(
        {depthSize: "small", withCrossShrink: true},
        atom,
        fc.tuple(tie("node"), fc.constantFrom("*", "+", "?", "{1,2}", "*?", "{2}")).map(([a, q]) => `(?:${a})${q}`),
        fc.array(tie("node"), {minLength: 2, maxLength: 3}).map((parts) => parts.join("")),
        fc.tuple(tie("node"), tie("node")).map(([a, b]) => `(${a}|${b})`)
      )
    })).node;
    const text = fc
      .array(fc.constantFrom("a", "b", "A", "é", "É", " ", "\u00a0", "\n", "\r", "\u2028", "1", "_", "."), {
        maxLength: 12
      })
      .map((cs) => cs.join(""));
    const flags = fc.subarray(["i", "m", "s"]).map((f) => f.join(""));
    fc.assert(
      fc.property(
        pattern,
        fc.boolean(),
        flags,
        fc.array(text, {minLength: 1, maxLength: 4}),
        (body, dollar, f, texts) => {
          const p = dollar ? `${body}$` : body;
          for (const t of texts) {
            const expected = new RegExp(p, f).test(t);
            if (compileLinearRegex(p, f).test(t) !== expected) return false;
          }
          return true;
        }
      ),
      {numRuns: 400, seed: 20261206}
    );
  });
});
