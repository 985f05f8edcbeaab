/**
 * @module What makes a user's notebook a page: a safe file name, the title the navigation bar shows, and the
 * starting text `plumbline notebook new` writes. Notebooks are Framework Markdown pages in `src/notebooks/`.
 */

/** The folder, under the app's source root, that holds the user's notebooks. */
export const NOTEBOOKS_FOLDER = "notebooks";

/**
 * A notebook name becomes a file name and a URL path, so it is held to lowercase letters, digits and single
 * hyphens or underscores between them: the same name on every file system and host, nothing to escape in a link.
 */
const SAFE_NAME = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const MAX_NAME = 64;

/** The name, without a `.md` the user may have typed; or why it cannot name a notebook. */
export function parseNotebookName(input: string): {name: string} | {error: string} {
  const name = input.trim().replace(/\.md$/i, "");
  if (!name) return {error: "name the notebook, e.g. weekly-report"};
  if (name.length > MAX_NAME) return {error: `"${name}" is longer than ${MAX_NAME} characters`};
  if (!SAFE_NAME.test(name))
    return {
      error:
        `"${name}" is not a safe file name: use lowercase letters, digits, and single hyphens or underscores ` +
        "between them (e.g. calibration-by-model)"
    };
  // "index" would be the folder's own address, which the navigation bar does not list.
  if (name === "index") return {error: `"index" is reserved: choose another name`};
  return {name};
}

/** The page's title: its front matter's `title`, else its first `# ` heading, else its file name. */
export function notebookTitle(markdown: string, name: string): string {
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(markdown);
  const title = front && /^title:\s*(.+?)\s*$/m.exec(front[1]!);
  if (title) return title[1]!.replace(/^(["'])(.*)\1$/, "$2");
  const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(front ? markdown.slice(front[0].length) : markdown);
  return heading ? heading[1]! : name;
}

/** The text of a new notebook: one table loaded offline, two building blocks, one chart; every import explicit. */
export function starterNotebook(name: string): string {
  return `---
title: ${name}
toc: false
---

\`\`\`js
// Import every library explicitly: these come from node_modules and the page works with no network.
import * as Plot from "@observablehq/plot";
import {tableFromIPC} from "apache-arrow";
import {calibrationTable, mccBySlice, sliceCalibration} from "../components/blocks.js";
\`\`\`

# ${name}

Each judge verdict that a person also labelled, with the model and prompt version of its trace
(the columns are listed in docs/notebooks.md).

\`\`\`js
const verdicts = tableFromIPC(await FileAttachment("data/verdicts.arrow").arrayBuffer()).toArray();
\`\`\`

\`\`\`js
const slices = sliceCalibration(verdicts, ["evaluator_id", "model"]);
display(calibrationTable(slices, ["evaluator", "model"]));
display(mccBySlice(slices));
\`\`\`

\`\`\`js
display(
  Plot.plot({
    marginLeft: 180,
    x: {label: "labelled verdicts"},
    y: {label: null},
    marks: [Plot.barX(verdicts, Plot.groupY({x: "count"}, {y: "evaluator_id", fill: "human"}))]
  })
);
\`\`\`
`;
}
