/** @module `plumbline notebook new NAME`: writes a starting notebook into src/notebooks/, never over one. */
import {mkdirSync, writeFileSync} from "node:fs";
import {join, relative} from "node:path";
import {NOTEBOOKS_FOLDER, parseNotebookName, starterNotebook} from "../../src/core/notebooks/notebookPage.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command} from "./command.js";

const help = `Usage: plumbline notebook new <name> [options]

Writes a starting notebook, src/notebooks/<name>.md: a Framework Markdown page that loads the workspace's
judge verdicts offline (data/verdicts.arrow), slices calibration by model with Plumbline's building blocks
(src/components/blocks.ts) and draws a chart. \`plumbline start\` serves it and \`plumbline build\` publishes it;
it is listed in the navigation bar by its title. See docs/notebooks.md.

The name is lowercase letters, digits, and single hyphens or underscores between them (e.g. weekly-report).
An existing notebook is never overwritten.

Options:
  --dir <folder>       the notebooks folder (default: src/${NOTEBOOKS_FOLDER}/ in the project)
  -h, --help           show this help`;

/** Writes the starter notebook `name` into `dir`; returns its path. Refuses an unsafe name or an existing file. */
export function writeStarterNotebook(dir: string, input: string): string {
  const parsed = parseNotebookName(input);
  if ("error" in parsed) throw usageError(`invalid notebook name: ${parsed.error}`, "notebook");
  mkdirSync(dir, {recursive: true});
  const path = join(dir, `${parsed.name}.md`);
  try {
    // "wx": the file is created only if it does not exist, in one step, so nothing is ever overwritten.
    writeFileSync(path, starterNotebook(parsed.name), {flag: "wx"});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      throw new CliError(`${path} already exists: choose another name, or edit that notebook`);
    throw error;
  }
  return path;
}

export const command: Command = {
  name: "notebook",
  summary: "write a starting notebook of your own into src/notebooks/",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("notebook", {
      args,
      allowPositionals: true,
      options: {dir: {type: "string"}}
    });
    const [action, name, ...rest] = positionals;
    if (action !== "new")
      throw usageError(action ? `unknown notebook action: ${action}` : "name an action: new", "notebook");
    if (name === undefined) throw usageError("name the notebook: plumbline notebook new <name>", "notebook");
    if (rest.length) throw usageError(`one name at a time (also given: ${rest.join(" ")})`, "notebook");
    const path = writeStarterNotebook(values.dir ?? join(PROJECT_ROOT, "src", NOTEBOOKS_FOLDER), name);
    io.out(`wrote ${relative(process.cwd(), path) || path}`);
    io.err("see it with `npx plumbline start`; `npx plumbline build` publishes it with the other pages");
    return 0;
  }
};
