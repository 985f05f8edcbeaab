// Prints the help texts of a built command as JSON: `{main, verbs: {name: text}}`. Run by build.mjs in a process
// of its own, on the build it has just written, so the texts come from the very code that will run.
import {pathToFileURL} from "node:url";

const {main, mainHelp, verbNames} = await import(pathToFileURL(process.argv[2]).href);
const verbs = {};
for (const verb of verbNames()) {
  const out = [];
  const io = {out: (text) => out.push(text), err: (text) => process.stderr.write(`${text}\n`), env: process.env};
  const status = await main([verb, "--help"], io);
  if (status !== 0) throw new Error(`plumbline ${verb} --help exited ${status}`);
  verbs[verb] = out.join("\n");
}
// A verb's modules may hold the event loop open (a native binding's handles); the texts are all that is wanted.
process.stdout.write(JSON.stringify({main: mainHelp(), verbs}), () => process.exit(0));
