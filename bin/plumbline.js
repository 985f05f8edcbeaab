#!/usr/bin/env node
// The command runs from its esbuild build in dist-cli/ (see loaders/bundle/build.mjs): every verb a chunk of its
// own, loaded only when it runs, and each verb's --help text written at build time, so `--help` loads no verb at
// all. `npm install` builds it; a start that finds a source changed since (a stat of each source, a hash only when
// a time differs) rebuilds it first, with one line on standard error, so the command never runs stale code.
//
// PLUMBLINE_DEV=1 runs the TypeScript sources through tsx instead, with no build; so does a start whose build
// cannot be written or whose sources do not build (tsx then reports the error in full).
import {existsSync, readFileSync} from "node:fs";
import {relative} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {buildDirOf, currentBuild, manifestPath, setProjectRoot} from "../loaders/bundle/currentBuild.mjs";

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

/** The help text a built command answers `argv` with, read from the build without loading a verb; else null. */
function builtHelp(helpFile) {
  const [verb, ...args] = argv;
  const asksHelp =
    verb === "--help" || verb === "-h" || verb === "help" || args.includes("--help") || args.includes("-h");
  if (!asksHelp) return null;
  const texts = JSON.parse(readFileSync(helpFile, "utf8"));
  const has = (name) => typeof name === "string" && Object.hasOwn(texts.verbs, name);
  // The same choices as main() in loaders/cli/main.ts; the command's tests compare the two.
  if (verb === "--help" || verb === "-h") return texts.main;
  if (verb === "help") return has(args[0]) ? texts.verbs[args[0]] : texts.main;
  return has(verb) ? texts.verbs[verb] : null;
}

async function built() {
  const buildDir = buildDirOf(root);
  const current = await currentBuild(root, buildDir);
  if (current) return current;
  const where = relative(process.cwd(), buildDir) || buildDir;
  const {buildCommand, buildFailure} = await import("../loaders/bundle/build.mjs");
  const first = !existsSync(manifestPath(buildDir));
  process.stderr.write(
    `plumbline: ${first ? "building the command" : "sources changed since the command was built; rebuilding it"} into ${where}/ (once)\n`
  );
  try {
    await buildCommand({root, buildDir});
  } catch (error) {
    process.stderr.write(
      `plumbline: could not build the command (${buildFailure(error)}); running the sources through tsx\n`
    );
    return null;
  }
  return currentBuild(root, buildDir);
}

const build = process.env.PLUMBLINE_DEV === "1" ? null : await built();
if (build) {
  const help = builtHelp(build.help);
  if (help !== null) {
    process.stdout.write(help.endsWith("\n") ? help : `${help}\n`);
  } else {
    setProjectRoot(root);
    const {main} = await import(pathToFileURL(build.main).href);
    process.exitCode = await main(argv);
  }
} else {
  const {register} = await import("tsx/esm/api");
  register();
  const {main} = await import("../loaders/cli/main.ts");
  process.exitCode = await main(argv);
}
