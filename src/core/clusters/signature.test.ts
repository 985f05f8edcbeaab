import assert from "node:assert/strict";
import {test} from "node:test";
import {clusterSignatures, DEFAULT_SIGNATURE_OPTIONS, signatureOf, type SignatureInput} from "./signature.js";

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

test("the first failing tool, its error template, the agent that called it and negative feedback make the key", () => {
  const s = signatureOf({
    ...base,
    status: "error",
    failedTools: [
      {name: "refund", error: "order 1234 not found", parentName: "support agent"},
      {name: "lookup", error: "timeout", parentName: "support agent"}
    ],
    feedback: [{name: "thumbs", label: "DOWN", value: 0}]
  });
  assert.deepEqual(s?.parts, [
    "tool refund failed in support agent: order <n> not found",
    "feedback thumbs=down",
    "status error"
  ]);
  assert.equal(s?.severity, 1);
});

test("an error span stands in for the place it went wrong when no tool failed; retrieval misses are listed", () => {
  const s = signatureOf({
    ...base,
    status: "error",
    errorSpans: [{name: "plan", kind: "chain", message: "bad JSON at 17"}],
    retrievalMisses: ["kb", "faq", "kb"]
  });
  assert.equal(s?.key, "chain plan failed: bad JSON at <n> | retrieval miss in faq, kb | status error");
});

test("a blamed agent from attribution feedback is part of the signature unless feedback is ignored", () => {
  const input = {
    ...base,
    status: "unset",
    feedback: [
      {name: "mistake_agent", label: "WebSurfer", value: null},
      {name: "outcome", label: "fail", value: 0}
    ]
  };
  assert.equal(signatureOf(input)?.key, "blamed agent WebSurfer | feedback outcome=fail | status unset");
  assert.equal(signatureOf(input, {...DEFAULT_SIGNATURE_OPTIONS, ignoreFeedback: true}), null);
});

test("traces with equal keys form one cluster, largest first, with a stable id", () => {
  const failing = (traceId: string, error: string) =>
    signatureOf({...base, traceId, status: "error", failedTools: [{name: "pay", error, parentName: null}]})!;
  const clusters = clusterSignatures([
    failing("c", "card 4242 declined"),
    failing("a", "card 1111 declined"),
    failing("b", "gateway timeout"),
    failing("d", "card 99 declined")
  ]);
  assert.deepEqual(
    clusters.map((c) => [c.name, c.traceIds]),
    [
      ["tool pay failed: card <n> declined · status error", ["a", "c", "d"]],
      ["tool pay failed: gateway timeout · status error", ["b"]]
    ]
  );
  assert.match(clusters[0]!.clusterId, /^sig-[0-9a-f]{16}$/);
  assert.equal(clusterSignatures([failing("x", "card 5 declined")])[0]!.clusterId, clusters[0]!.clusterId);
});
