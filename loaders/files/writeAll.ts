/**
 * @module Writing a whole buffer to a file descriptor. `writeSync` may write less than it is given; every caller
 * that appends records (the annotation log, staged rows) needs all of it, so the loop lives here once.
 */
import {writeSync} from "node:fs";

export function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}
