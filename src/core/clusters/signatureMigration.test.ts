import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import {errorTemplate} from "./errorTemplate.js";
import {DEFAULT_SIGNATURE_OPTIONS, signatureOf, type SignatureInput} from "./signature.js";
import {currentSignatureKey, isOldSignatureKey} from "./signatureMigration.js";

/** What the old format read of a trace: the caller of each failed tool too. */
type OldInput = SignatureInput & {failedTools: {name: string; error: string | null; parentName: string | null}[]};

/** The key as the format before this one wrote it: the reference the old keys in registries were made by. */
function oldKey(input: OldInput, options = DEFAULT_SIGNATURE_OPTIONS): string | null {
  const parts: string[] = [];
  const tool = input.failedTools[0];
  if (tool) {
    const where = tool.parentName ? ` in ${tool.parentName}` : "";
    parts.push(`tool ${tool.name} failed${where}: ${tool.error ? errorTemplate(tool.error) : "(no message)"}`);
  }
  const span = input.errorSpans[0];
  if (span && !tool)
    parts.push(`${span.kind} ${span.name} failed${span.message ? `: ${errorTemplate(span.message)}` : ""}`);
  if (input.retrievalMisses.length > 0)
    parts.push(`retrieval miss in ${[...new Set(input.retrievalMisses)].sort().join(", ")}`);
  if (!options.ignoreFeedback) {
    for (const f of input.feedback)
      if (f.label !== null && options.attributionFeedback.includes(f.name)) parts.push(`blamed agent ${f.label}`);
    const negative = input.feedback.filter(
      (f) => f.label !== null && options.negativeLabels.includes(f.label.toLowerCase())
    );
    const names = [...new Set(negative.map((f) => `${f.name}=${f.label!.toLowerCase()}`))].sort();
    if (names.length > 0) parts.push(`feedback ${names.join(", ")}`);
  }
  if (parts.length === 0 && input.status !== "error") return null;
  parts.push(`status ${input.status}`);
  return parts.join(" | ");
}

test("an old key reads as today's: caller, span kind, Error: prefix, feedback beside a failure and status dropped", () => {
  assert.equal(
    currentSignatureKey(
      "tool issue_refund failed in support agent: Error: order <n> not found | feedback thumbs=down | status error"
    ),
    "tool issue_refund failed: order <n> not found"
  );
  assert.equal(
    currentSignatureKey("chain plan failed: bad JSON at <n> | retrieval miss in faq, kb | status ok"),
    "step plan failed: bad JSON at <n> | retrieval miss in faq, kb"
  );
  assert.equal(
    currentSignatureKey("blamed agent WebSurfer | blamed agent Orchestrator | blamed agent WebSurfer | status ok"),
    "blamed agent Orchestrator, WebSurfer"
  );
  assert.equal(currentSignatureKey("feedback outcome=fail | status ok"), "negative feedback outcome=fail");
  assert.equal(currentSignatureKey("status error"), "error status");
  // Today's keys pass through as they are.
  assert.equal(isOldSignatureKey("error status"), false);
  assert.equal(currentSignatureKey("tool pay failed: card <n> declined"), "tool pay failed: card <n> declined");
});

const piece = fc.constantFrom(
  "Error: ",
  "exception:",
  " ",
  ", ",
  "order",
  "HAT030",
  "-17",
  "'id'",
  "/a/b",
  " | ",
  ": ",
  " in ",
  "42 42"
);
const error = fc.array(piece, {maxLength: 6}).map((xs) => xs.join(""));
const name = fc.constantFrom("refund", "kb", "plan", "WebSurfer", "Orchestrator");
const input: fc.Arbitrary<OldInput> = fc.record({
  traceId: fc.constant("t"),
  status: fc.constantFrom("ok", "error"),
  failedTools: fc.array(
    fc.record({name, error: fc.option(error, {nil: null}), parentName: fc.option(name, {nil: null})}),
    {maxLength: 2}
  ),
  errorSpans: fc.array(
    fc.record({name, kind: fc.constantFrom("chain", "agent"), message: fc.option(error, {nil: null})}),
    {maxLength: 2}
  ),
  retrievalMisses: fc.array(name, {maxLength: 3}),
  feedback: fc.array(
    fc.record({
      name: fc.constantFrom("thumbs", "mistake_agent", "outcome"),
      label: fc.option(fc.constantFrom("down", "FAIL", "pass", "WebSurfer", "Orchestrator"), {nil: null}),
      value: fc.constant(null)
    }),
    {maxLength: 3}
  )
});

test("every trace's old key reads as exactly the key today's signature gives it", () => {
  fc.assert(
    fc.property(input, (x) => {
      const old = oldKey(x);
      assert.equal(old === null ? null : currentSignatureKey(old), signatureOf(x)?.key ?? null);
    }),
    {numRuns: 2000, seed: 1206}
  );
});
