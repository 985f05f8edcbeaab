// Runs several test files in this one process, one after another: `node --import tsx scripts/testBatch.mjs <file>...`.
// scripts/test.mjs runs the pure core's tests this way; they touch no file, port or global, and a process of
// their own each would cost more than the tests themselves.
import {resolve} from "node:path";
import {pathToFileURL} from "node:url";

for (const file of process.argv.slice(2)) await import(pathToFileURL(resolve(file)).href);
