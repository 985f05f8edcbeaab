/**
 * @module Signature keys written in the format before signatures named what went wrong only, read into today's
 * format, so a failure mode promoted from an old signature cluster finds its traces again. The old key held the
 * caller of a failing tool ("tool refund failed in support agent: …"), a failing step's span kind ("chain plan
 * failed"), the raw "Error:" in front of an error, every blamed agent and negative feedback beside a structural
 * failure, and always ended with the trace's status ("… | status error").
 */

/** The generic prefix today's `failureTemplate` drops (the old key kept it). */
const ERROR_PREFIX = /^\s*(?:error|exception)\s*:\s*/i;

/** True for a key in the old format: its last part is always the trace's status. */
export function isOldSignatureKey(key: string): boolean {
  return /(?:^| \| )status \S+$/.test(key);
}

/** The tail of `rest` after its last " | " (or all of it), when that tail starts with `prefix`. */
function takeLast(rest: string, prefix: string): [head: string, part: string] | null {
  const at = rest.lastIndexOf(" | ");
  const part = at < 0 ? rest : rest.slice(at + 3);
  if (!part.startsWith(prefix)) return null;
  return [at < 0 ? "" : rest.slice(0, at), part.slice(prefix.length)];
}

/**
 * Today's key for a key in either format: a current key as it is, an old one read part by part (null when the
 * old key names nothing today's signatures name). An old error template cut at its length limit stays cut: the
 * caller matches it by prefix.
 */
export function currentSignatureKey(key: string): string | null {
  if (!isOldSignatureKey(key)) return key;
  const status = /status (\S+)$/.exec(key)![1]!;
  let rest = key.slice(0, key.lastIndexOf("status ")).replace(/ \| $/, "");
  let feedback: string | null = null;
  const blamed: string[] = [];
  let misses: string | null = null;
  let taken = takeLast(rest, "feedback ");
  if (taken) [rest, feedback] = taken;
  while ((taken = takeLast(rest, "blamed agent "))) {
    [rest] = taken;
    blamed.unshift(taken[1]);
  }
  if ((taken = takeLast(rest, "retrieval miss in "))) [rest, misses] = taken;
  const parts: string[] = [];
  const tool = /^tool (.+?) failed(?: in .+?)?: ([\s\S]*)$/.exec(rest);
  const step = tool ? null : /^\S+ (.+?) failed(?:: ([\s\S]*))?$/.exec(rest);
  const template = (t: string) => (t === "(no message)" ? t : t.replace(ERROR_PREFIX, ""));
  if (tool) parts.push(`tool ${tool[1]} failed: ${template(tool[2]!)}`);
  else if (step) parts.push(`step ${step[1]} failed${step[2] === undefined ? "" : `: ${template(step[2])}`}`);
  else if (rest !== "") return null;
  if (misses !== null) parts.push(`retrieval miss in ${misses}`);
  // As today: feedback names the failure only where the structure shows none.
  if (parts.length === 0 && blamed.length > 0) parts.push(`blamed agent ${[...new Set(blamed)].sort().join(", ")}`);
  else if (parts.length === 0 && feedback !== null) parts.push(`negative feedback ${feedback}`);
  if (parts.length === 0 && status === "error") parts.push("error status");
  return parts.length ? parts.join(" | ") : null;
}
