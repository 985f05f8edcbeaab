/**
 * @module The retry policy every outbound call shares (the judge's chat calls, an experiment's task calls): up to
 * `maxAttempts` attempts, waiting what the server asked for (Retry-After) when it did, else exponential backoff
 * with full jitter, so many concurrent workers do not retry in lockstep after a shared 429.
 */
export interface RetryPolicy {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests; waits honour it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What one attempt came to: an end (an answer, or an error not worth retrying), or an error to retry. */
export type Attempt<T> = {end: T} | {retry: string; waitMs?: number | null};

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it ends or the attempts are spent. `interrupted` is answered when the signal aborts between
 * attempts, `gaveUp` with the last error when every attempt asked for a retry.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<Attempt<T>>,
  ends: {interrupted(attempts: number): T; gaveUp(lastError: string, attempts: number): T},
  signal?: AbortSignal
): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? 5;
  const base = policy.baseDelayMs ?? 500;
  const cap = policy.maxDelayMs ?? 30_000;
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  let lastError = "no attempt made";
  for (let n = 1; n <= maxAttempts; n++) {
    if (signal?.aborted) return ends.interrupted(n - 1);
    const outcome = await attempt(n);
    if ("end" in outcome) return outcome.end;
    lastError = outcome.retry;
    if (n === maxAttempts) break;
    const wait = outcome.waitMs ?? null;
    await sleep(wait === null ? Math.min(cap, base * 2 ** (n - 1)) * random() : Math.min(Math.max(wait, 0), cap * 4));
  }
  return ends.gaveUp(lastError, maxAttempts);
}
