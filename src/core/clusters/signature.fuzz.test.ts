/**
 * Property: grouping signatures as the traces are read (`groupSignatures`, each distinct error normalised once) gives
 * exactly the clusters, flagged traces and severities that grouping each trace's own `signatureOf` by key gives.
 * The demo's real traces are compared the same way in loaders/clusters/demoClusters.test.ts.
 */
import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import {shortHash} from "./hash.js";
import {
  cachedFailureTemplate,
  DEFAULT_SIGNATURE_OPTIONS,
  failureTemplate,
  groupSignatures,
  signatureOf,
  type Signature,
  type SignatureCluster,
  type SignatureInput,
  type SignatureOptions
} from "./signature.js";

/** The plain way, kept here as the reference: every trace's signature made and kept, then grouped by key. */
function groupedOneByOne(signatures: readonly Signature[]): SignatureCluster[] {
  const groups = new Map<string, Signature[]>();
  for (const s of signatures) groups.set(s.key, [...(groups.get(s.key) ?? []), s]);
  return [...groups.entries()]
    .map(([key, members]) => ({
      clusterId: `sig-${shortHash(key)}`,
      key,
      name: members[0]!.parts.join(" · "),
      parts: members[0]!.parts,
      madeOf: members[0]!.madeOf,
      severity: Math.max(...members.map((m) => m.severity)),
      traceIds: members.map((m) => m.traceId).sort()
    }))
    .sort((a, b) => b.traceIds.length - a.traceIds.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// Pieces every rule of the normaliser acts on, and the text between them, so fuzzed errors hit each rule and
// the places where one rule's placeholder meets the next rule's pattern.
const piece = fc.constantFrom(
  "Error: ",
  "exception:",
  "  ",
  " ",
  ", ",
  "order",
  "not found",
  "HAT030",
  "user_42",
  "x-9",
  "-17",
  "+3.5e-2",
  "1,234.5",
  "0x1F",
  "2024-05-13",
  "2024-05-13T10:20:30.5Z",
  "3f2b8c1e-1111-4a4a-9b9b-0123456789ab",
  "/srv/app/x.py",
  "/a/",
  "https://api.example.com/v1/o?id=7",
  "'refund_id'",
  '"quoted 12"',
  "`tick`",
  "'",
  '"',
  "\n",
  "\t",
  "<n>",
  "<id>",
  "é",
  "😀",
  "7",
  "42 42, 42"
);
const errorText = fc.oneof(
  fc.array(piece, {maxLength: 12}).map((xs) => xs.join("")),
  fc.string({unit: fc.constantFrom(..."aZ0 9_-.,:/'\"<>x\n"), maxLength: 40})
);
const name = fc.constantFrom("refund", "lookup", "kb", "faq", "plan", "WebSurfer", "Orchestrator");
const feedback = fc.record({
  name: fc.constantFrom("thumbs", "mistake_agent", "blamed_agent", "outcome", "reward"),
  label: fc.option(fc.constantFrom("down", "DOWN", "fail", "pass", "WebSurfer", "Orchestrator", "👎"), {nil: null}),
  value: fc.option(fc.integer({min: 0, max: 1}), {nil: null})
});
const input = (errors: readonly string[]) =>
  fc.record({
    status: fc.constantFrom("ok", "error", "unset"),
    failedTools: fc.array(
      fc.record({
        name,
        error: fc.option(fc.oneof(fc.constantFrom(...errors), errorText), {nil: null})
      }),
      {maxLength: 2}
    ),
    errorSpans: fc.array(
      fc.record({
        name,
        kind: fc.constantFrom("chain", "agent", "llm"),
        message: fc.option(fc.oneof(fc.constantFrom(...errors), errorText), {nil: null})
      }),
      {maxLength: 2}
    ),
    retrievalMisses: fc.array(name, {maxLength: 3}),
    feedback: fc.array(feedback, {maxLength: 3})
  });
// A few errors shared across traces, as production errors repeat, beside each trace's own.
const traces = fc
  .array(errorText, {minLength: 1, maxLength: 4})
  .chain((errors) => fc.array(input(errors), {maxLength: 40}))
  .map((xs): SignatureInput[] => xs.map((x, i) => ({traceId: `t${(i * 7919) % 1000}-${i}`, ...x})));
const options = fc.constantFrom<SignatureOptions>(DEFAULT_SIGNATURE_OPTIONS, {
  ...DEFAULT_SIGNATURE_OPTIONS,
  ignoreFeedback: true
});

test("grouping traces as they are read forms the same clusters as grouping each trace's signature", () => {
  fc.assert(
    fc.property(traces, options, (inputs, opts) => {
      const each = inputs.flatMap((x) => signatureOf(x, opts) ?? []);
      const grouped = groupSignatures(inputs, opts);
      assert.deepEqual(grouped.clusters, groupedOneByOne(each));
      assert.deepEqual(
        grouped.flagged,
        each.map((s) => s.traceId)
      );
      assert.deepEqual(
        grouped.severities,
        each.map((s) => s.severity)
      );
    }),
    {numRuns: 300, seed: 20261206}
  );
});

// Errors dense in digits beside everything a rule looks at next to a digit: hex letters, x, e, signs, separators,
// word characters, non-ASCII letters, quotes, slashes and placeholders.
const digitDense = fc.string({unit: fc.constantFrom(..."0123456789012xXaAfFeE_-+.,:/T Z'\"é<>nid"), maxLength: 30});

test("a template remembered by the error's digit shape is the error's own template", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(errorText, digitDense), {maxLength: 30}), (errors) => {
      const remembered = cachedFailureTemplate(3);
      for (const e of [...errors, ...errors]) assert.equal(remembered(e), failureTemplate(e));
    }),
    {numRuns: 1000, seed: 7}
  );
  // Errors that differ only in their digits share one normalisation, and each still gets its own template.
  const remembered = cachedFailureTemplate();
  for (const e of ["flight HAT030 on 2024-05-13", "flight HAT931 on 2025-12-31", "code 0x1F", "code 1x1F", "v1.2.3"])
    assert.equal(remembered(e), failureTemplate(e));
});
