// Runs several test files in this one process: `node --import tsx scripts/testBatch.mjs <file>...`. Each file's
// tests register as it is imported and Node's test runner runs them in that order, one at a time. scripts/test.mjs
// runs each folder's tests this way (the page and preview tests aside); starting a process for each file would
// cost more than most files' tests.
import {resolve} from "node:path";
import {pathToFileURL} from "node:url";

for (const file of process.argv.slice(2)) await import(pathToFileURL(resolve(file)).href);
