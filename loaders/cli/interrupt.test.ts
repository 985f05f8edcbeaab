import assert from "node:assert/strict";
import {test} from "node:test";
import {onInterrupt} from "./interrupt.js";

test("onInterrupt stops on the first signal, acknowledges later ones, and listens until released", () => {
  const before = process.listenerCount("SIGINT");
  const calls: string[] = [];
  const release = onInterrupt({stop: () => calls.push("stop"), again: () => calls.push("again")});
  process.emit("SIGINT", "SIGINT");
  assert.equal(process.listenerCount("SIGINT"), before + 1, "still listening after the first");
  process.emit("SIGINT", "SIGINT");
  process.emit("SIGINT", "SIGINT");
  assert.deepEqual(calls, ["stop", "again", "again"]);
  release();
  assert.equal(process.listenerCount("SIGINT"), before);
});
