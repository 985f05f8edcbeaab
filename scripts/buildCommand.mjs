#!/usr/bin/env node
// Builds the `plumbline` command into dist-cli/ (see loaders/bundle/build.mjs). npm runs it after `npm install`
// and `npm ci` (the `prepare` script); `plumbline` itself rebuilds when a source changed since.
import {fileURLToPath} from "node:url";
import {buildCommand, buildFailure} from "../loaders/bundle/build.mjs";
import {buildDirOf} from "../loaders/bundle/currentBuild.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
try {
  const started = performance.now();
  const dir = await buildCommand({root, buildDir: buildDirOf(root)});
  console.log(`plumbline: built the command into ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`plumbline: could not build the command: ${buildFailure(error)}`);
  process.exit(1);
}
