// `npm run docs:cli`: rewrites docs/cli.md from the command's help texts, building the command first when a
// source changed since its last build.
import {writeFileSync} from "node:fs";
import {buildCommand} from "../bundle/build.mjs";
import {buildDirOf} from "../bundle/currentBuild.mjs";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {builtHelpTexts, CLI_REFERENCE, renderCliReference} from "./cliReference.js";

let texts = await builtHelpTexts();
if (!texts) {
  await buildCommand({root: PROJECT_ROOT, buildDir: buildDirOf(PROJECT_ROOT)});
  texts = await builtHelpTexts();
}
if (!texts) throw new Error("the command's build is still not current after building it");
writeFileSync(CLI_REFERENCE, renderCliReference(texts));
console.log(`wrote ${CLI_REFERENCE}: ${Object.keys(texts.verbs).length} commands`);
