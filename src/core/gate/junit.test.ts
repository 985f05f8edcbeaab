// The JUnit files themselves are compared with golden files and checked by libxml2 in loaders/gate/report.test.ts.
import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {escapeXml} from "./junit.js";

const NASTY = `a <b> & "c" 'd' \u0001\u0008 \uD800 e \u{1F600}`;

describe("escapeXml(text)", () => {
  test("escapes the five XML specials and drops what XML 1.0 cannot hold, keeping a surrogate pair", () => {
    assert.equal(escapeXml(NASTY), "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;   e \u{1F600}");
  });
});
