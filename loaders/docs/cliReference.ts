/**
 * @module docs/cli.md, the CLI reference, made from the help texts the command's build records (`help.json`:
 * `plumbline --help` and every registered verb's `--help`, written by the built code itself). Reading them from
 * the build loads no verb, so the check that the reference is current takes milliseconds, and a verb added to
 * loaders/cli/main.ts appears in the reference the next time `npm run docs:cli` runs.
 */
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {buildDirOf, currentBuild} from "../bundle/currentBuild.mjs";
import {PROJECT_ROOT} from "../workspace/changed.js";

export const CLI_REFERENCE = join(PROJECT_ROOT, "docs", "cli.md");

export interface HelpTexts {
  main: string;
  verbs: Record<string, string>;
}

/** The help texts of the current build; null when the build is missing or older than a source. */
export async function builtHelpTexts(root = PROJECT_ROOT): Promise<HelpTexts | null> {
  const build = await currentBuild(root, buildDirOf(root));
  return build ? (JSON.parse(readFileSync(build.help, "utf8")) as HelpTexts) : null;
}

/** The reference as Markdown: the command list, then each verb's help in the order `plumbline --help` lists them. */
export function renderCliReference(texts: HelpTexts): string {
  const verbs = Object.keys(texts.verbs);
  return [
    "# CLI reference",
    "",
    "<!-- Made by `npm run docs:cli` from each command's --help; edit the help texts in loaders/cli/, not this file. -->",
    "",
    "Run every command as `npx plumbline …` from the repository folder.",
    "",
    "```text",
    texts.main.trimEnd(),
    "```",
    "",
    verbs.map((verb) => `[${verb}](#plumbline-${verb})`).join(" · "),
    "",
    ...verbs.flatMap((verb) => [`## plumbline ${verb}`, "", "```text", texts.verbs[verb]!.trimEnd(), "```", ""])
  ].join("\n");
}
