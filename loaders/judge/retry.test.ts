import assert from "node:assert/strict";
import {test} from "node:test";
import {runPool} from "./pool.js";
import {withRetries} from "./retry.js";

const ends = {
  interrupted: (attempts: number) => `interrupted after ${attempts}`,
  gaveUp: (lastError: string, attempts: number) => `${lastError} x${attempts}`
};

test("withRetries retries until an attempt ends, waiting the server's Retry-After when given and backoff otherwise", async () => {
  const waits: number[] = [];
  const result = await withRetries(
    {maxAttempts: 5, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), random: () => 0.5},
    async (n) => (n === 1 ? {retry: "429", waitMs: 1200} : n < 4 ? {retry: "503"} : {end: `ok on ${n}`}),
    ends
  );
  assert.equal(result, "ok on 4");
  assert.deepEqual(waits, [1200, 100, 200]);
});

test("withRetries gives up with the last error, and stops between attempts once the signal aborts", async () => {
  const sleep = async () => {};
  assert.equal(await withRetries({maxAttempts: 3, sleep}, async (n) => ({retry: `e${n}`}), ends), "e3 x3");
  const controller = new AbortController();
  const result = await withRetries(
    {maxAttempts: 3, sleep},
    async () => {
      controller.abort();
      return {retry: "e"};
    },
    ends,
    controller.signal
  );
  assert.equal(result, "interrupted after 1");
});

test("runPool keeps at most `concurrency` items in flight, takes them in order, and a worker's stop ends only its loop", async () => {
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  await runPool([0, 1, 2, 3, 4, 5, 6], 3, async (item) => {
    started.push(item);
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    return item === 1 ? "stop" : undefined;
  });
  assert.equal(most, 3);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
});
