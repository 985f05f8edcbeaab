/** @module Writing a loader's output to a stream without buffering it all, honouring backpressure. */
import {once} from "node:events";
import type {Writable} from "node:stream";

export async function writeAll(out: Writable, bytes: Uint8Array | string): Promise<void> {
  if (!out.write(bytes)) await once(out, "drain");
}

export async function endOutput(out: Writable): Promise<void> {
  // Standard output is never ended by a loader; waiting for the last write to flush is enough.
  if (out === process.stdout) {
    if (out.writableNeedDrain) await once(out, "drain");
    return;
  }
  out.end();
  await once(out, "finish");
}
