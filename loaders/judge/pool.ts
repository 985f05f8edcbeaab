/**
 * @module A bounded pool: `concurrency` workers take items in order until none is left or the signal aborts. The
 * judge runner and the experiment runner share it; a worker's `work` may answer "stop" to end its own loop (an
 * interrupted call, a spent budget) while the others finish what they hold.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void | "stop">,
  signal?: AbortSignal
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      if ((await work(items[index]!, index)) === "stop") break;
    }
  };
  const workers = Math.max(1, Math.min(concurrency, items.length || 1));
  await Promise.all(Array.from({length: workers}, worker));
}
