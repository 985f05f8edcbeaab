// A writer that appends events until it is killed: the crash test runs it as a child and sends SIGKILL.
// Each event carries a long explanation so that a kill is likely to land inside a write.
import {openLogWriter} from "./log.js";
import {createEvent} from "./testEvents.js";

const file = process.argv[2]!;
const writer = openLogWriter(file);
const padding = "x".repeat(64 * 1024);
for (let n = 0; ; ++n) {
  const event = createEvent(n);
  if (event.op === "create") event.annotation.explanation = `${n} ${padding}`;
  await writer.append([event]);
  if (n === 20) process.stdout.write("ready\n");
}
