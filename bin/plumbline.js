#!/usr/bin/env node
// The command runs the TypeScript sources directly through tsx, so there is no build step between an edit
// and its use, and pages, loaders and the command always share one copy of the core.
//
// `plumbline ingest` is the exception: it runs on large inputs, in CI and in benchmarks, where the loader's
// third of a second before the first byte is read shows. It runs from a bundle of the same sources, cached and
// rebuilt whenever a source changes (see loaders/bundle/bundle.ts); the first run after a change builds it.
import {fileURLToPath, pathToFileURL} from "node:url";
import {cacheDirOf, COMMAND_BUNDLE, currentBundle} from "../loaders/bundle/currentBundle.mjs";

// A reader that stops early (`plumbline queue show … | head`) closes the pipe, and every later write fails. What
// is left to print has nowhere to go, so it is dropped without a stack trace; the command still finishes what it
// was doing (a run it records is recorded) and exits with its own status.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
    throw error;
  });
}

const argv = process.argv.slice(2);
const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = argv[0] === "ingest" ? currentBundle(root, cacheDirOf(root), COMMAND_BUNDLE) : null;
if (bundle) {
  const {main} = await import(pathToFileURL(bundle).href);
  process.exitCode = await main(argv);
} else {
  const {register} = await import("tsx/esm/api");
  register();
  const {main} = await import("../loaders/cli/main.ts");
  process.exitCode = await main(argv);
  if (argv[0] === "ingest") {
    const {bundled, COMMAND} = await import("../loaders/bundle/bundle.ts");
    await bundled(COMMAND);
  }
}
