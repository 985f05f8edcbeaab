import assert from "node:assert/strict";
import {test} from "node:test";
import {
  DEFAULT_SIGNATURE_OPTIONS,
  groupSignatures,
  signatureFields,
  signatureFieldValues,
  signatureOf,
  type SignatureInput
} from "./signature.js";

const base: SignatureInput = {
  traceId: "t",
  status: "ok",
  failedTools: [],
  errorSpans: [],
  retrievalMisses: [],
  feedback: []
};

test("a trace with no failure cue has no signature", () => {
  assert.equal(signatureOf(base), null);
  assert.equal(signatureOf({...base, feedback: [{name: "reward", label: "pass", value: 1}]}), null);
});

test("the first failing tool and its normalised error make the key; feedback and the trace's status do not", () => {
  const s = signatureOf({
    ...base,
    status: "error",
    failedTools: [
      {name: "refund", error: "Error: order 1234 not found"},
      {name: "lookup", error: "timeout"}
    ],
    feedback: [{name: "thumbs", label: "DOWN", value: 0}]
  });
  assert.deepEqual(s?.parts, ["tool refund failed: order <n> not found"]);
  assert.deepEqual(s?.madeOf, ["failing tool", "normalised error"]);
  assert.equal(s?.severity, 1);
  // The same failure with no feedback and an "ok" trace status is the same failure.
  const elsewhere = signatureOf({
    ...base,
    traceId: "u",
    failedTools: [{name: "refund", error: "order 98 not found"}]
  });
  assert.equal(elsewhere?.key, s?.key);
  assert.equal(elsewhere?.severity, 0.6);
});

test("an error span stands in for the place it went wrong when no tool failed, whatever kind a format gave it", () => {
  const s = signatureOf({
    ...base,
    status: "error",
    errorSpans: [{name: "plan", kind: "chain", message: "bad JSON at 17"}],
    retrievalMisses: ["kb", "faq", "kb"]
  });
  assert.equal(s?.key, "step plan failed: bad JSON at <n> | retrieval miss in faq, kb");
  assert.deepEqual(signatureFields(s!.key), s?.madeOf);
  const agent = signatureOf({...base, errorSpans: [{name: "plan", kind: "agent", message: "bad JSON at 3"}]});
  assert.equal(agent?.key, "step plan failed: bad JSON at <n>");
});

test("without a structural failure, the kind of miss names it: a blamed agent, negative feedback, an error status", () => {
  const input = {
    ...base,
    status: "unset",
    feedback: [
      {name: "mistake_agent", label: "WebSurfer", value: null},
      {name: "outcome", label: "fail", value: 0}
    ]
  };
  assert.equal(signatureOf(input)?.key, "blamed agent WebSurfer");
  assert.equal(signatureOf(input, {...DEFAULT_SIGNATURE_OPTIONS, ignoreFeedback: true}), null);
  const negative = signatureOf({...base, feedback: [{name: "outcome", label: "fail", value: 0}]});
  assert.equal(negative?.key, "negative feedback outcome=fail");
  assert.deepEqual(negative?.madeOf, ["negative feedback"]);
  assert.equal(signatureOf({...base, status: "error"})?.key, "error status");
  assert.deepEqual(signatureFields("error status"), ["error status"]);
});

test("traces with equal keys form one cluster, largest first, with a stable id", () => {
  const failing = (traceId: string, error: string) =>
    ({...base, traceId, status: "error", failedTools: [{name: "pay", error}]}) as SignatureInput;
  const {clusters, flagged} = groupSignatures([
    failing("c", "card 4242 declined"),
    failing("a", "card 1111 declined"),
    failing("b", "gateway timeout"),
    failing("d", "card 99 declined"),
    {...base, traceId: "e"}
  ]);
  assert.deepEqual(flagged, ["c", "a", "b", "d"], "every trace with a failure cue, in the order read");
  assert.deepEqual(
    clusters.map((c) => [c.name, c.traceIds]),
    [
      ["tool pay failed: card <n> declined", ["a", "c", "d"]],
      ["tool pay failed: gateway timeout", ["b"]]
    ]
  );
  assert.match(clusters[0]!.clusterId, /^sig-[0-9a-f]{16}$/);
  assert.equal(groupSignatures([failing("x", "card 5 declined")]).clusters[0]!.clusterId, clusters[0]!.clusterId);
});

test("a key reads back as its fields with their values, even when the error itself holds the separator", () => {
  const tool = signatureOf({
    ...base,
    failedTools: [{name: "cancel_reservation", error: "Error: a | b for 42"}],
    retrievalMisses: ["kb"]
  })!;
  assert.deepEqual(signatureFieldValues(tool.key), [
    {field: "failing tool", value: "cancel_reservation"},
    {field: "normalised error", value: "a | b for <n>"},
    {field: "retrieval miss", value: "kb"}
  ]);
  assert.deepEqual(signatureFields(tool.key), tool.madeOf);
  assert.deepEqual(signatureFieldValues("step plan failed"), [{field: "failing step", value: "plan"}]);
  assert.deepEqual(signatureFieldValues("retrieval miss in faq, kb"), [{field: "retrieval miss", value: "faq, kb"}]);
  assert.deepEqual(signatureFieldValues("blamed agent WebSurfer"), [{field: "blamed agent", value: "WebSurfer"}]);
  assert.deepEqual(signatureFieldValues("negative feedback thumbs=down"), [
    {field: "negative feedback", value: "thumbs=down"}
  ]);
  assert.deepEqual(signatureFieldValues("error status"), [{field: "error status", value: "error"}]);
});
