/**
 * @module The user's notebooks as pages of the app: every `src/notebooks/*.md`, by title, for the navigation bar.
 * Read each time Framework loads the config, so a notebook added while `plumbline start` runs is listed on the
 * next restart, and a build lists exactly what it builds.
 */
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {NOTEBOOKS_FOLDER, notebookTitle, parseNotebookName} from "../../src/core/notebooks/notebookPage.js";

export interface NotebookPage {
  name: string;
  title: string;
  /** The page's path as Framework names it, e.g. "/notebooks/weekly-report". */
  path: string;
}

/** The notebooks in `<sourceRoot>/notebooks/`, sorted by title; files whose names are not safe are skipped. */
export function notebookPages(sourceRoot: string): NotebookPage[] {
  const dir = join(sourceRoot, NOTEBOOKS_FOLDER);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, {withFileTypes: true})
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .flatMap((entry) => {
      const parsed = parseNotebookName(entry.name);
      if ("error" in parsed) return [];
      const title = notebookTitle(readFileSync(join(dir, entry.name), "utf8"), parsed.name);
      return [{name: parsed.name, title, path: `/${NOTEBOOKS_FOLDER}/${parsed.name}`}];
    })
    .sort((a, b) => a.title.localeCompare(b.title) || a.name.localeCompare(b.name));
}

const ESCAPES: Record<string, string> = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};

/** Text for HTML: notebook titles are the user's own words and reach the navigation bar's markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A link from the page at `from` to the page at `to` (Framework paths such as "/", "/traces",
 * "/notebooks/weekly"), relative so the site works under any base path, and ending in `.html` so a static server
 * that maps nothing finds the file (`/` is `index.html`).
 */
export function pageLink(from: string, to: string): string {
  const depth = from.split("/").length - 2;
  const up = depth > 0 ? "../".repeat(depth) : "./";
  const file = to === "/" ? "index" : to.replace(/^\//, "");
  return `${up}${file}.html`;
}
