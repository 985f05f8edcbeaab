// Framework configuration for the Plumbline app. Everything a page needs is served by the site itself: no web
// fonts, no CDN imports, no registry lookups while building, and no telemetry.
import {fileURLToPath} from "node:url";
import {invalidateIfWorkspaceChanged} from "./loaders/site/cache.js";
import {ensureNpmPlaceholders} from "./loaders/site/npmPlaceholders.js";
import {escapeHtml, notebookPages, pageLink} from "./loaders/site/notebookPages.js";
import {workspaceDir} from "./loaders/store/read.js";

const root = "src";
const RUN_LOADER = fileURLToPath(new URL("./loaders/site/runLoader.mjs", import.meta.url));

// Framework reports usage to observablehq.com unless told not to; Plumbline runs where nothing may leave.
process.env.OBSERVABLE_TELEMETRY_DISABLE ??= "true";

// Framework's loader cache cannot see the workspace; clear it when the workspace is not the one it was built from.
invalidateIfWorkspaceChanged(root, workspaceDir());
// Without these, building the client bundles asks the npm registry for versions of libraries no page uses.
ensureNpmPlaceholders(root);

/** The app's pages, in the order of the navigation bar. The loop's order: observe, cluster, annotate, agree, calibrate. */
const pages = [
  {name: "Overview", path: "/"},
  {name: "Traces", path: "/traces"},
  {name: "Clusters", path: "/clusters"},
  {name: "Annotate", path: "/annotate"},
  {name: "Agreement", path: "/agreement"},
  {name: "Calibration", path: "/calibration"},
  {name: "Suite", path: "/suite"},
  {name: "Datasets", path: "/datasets"},
  {name: "Experiments", path: "/experiments"},
  {name: "Monitor", path: "/monitor"}
];

/** The user's own notebooks (src/notebooks/*.md), listed after Plumbline's pages. */
const notebooks = notebookPages(root);

// A one-line navigation bar instead of Framework's sidebar: the explorer needs the whole width of the window.
// Links are relative, so the site works under any base path, and name the .html file, so it works on a static
// server that maps nothing. Plumbline's page names are ours; notebook titles are the user's, so they are escaped.
function header({path}: {path: string}): string {
  const here = path === "/index" ? "/" : path;
  const link = (page: {name: string; path: string}) =>
    `<a href="${pageLink(path, page.path)}"${page.path === here ? ' aria-current="page"' : ""}>${escapeHtml(page.name)}</a>`;
  const own = notebooks.length
    ? `<span class="pl-nav-notebooks" style="border-left: 1px solid currentColor; padding-left: 0.5em">${notebooks.map((n) => link({name: n.title, path: n.path})).join("")}</span>`
    : "";
  return `<nav class="pl-nav"><span class="pl-brand">Plumbline</span>${pages.map(link).join("")}${own}</nav>`;
}

export default {
  root,
  // TypeScript data loaders run from the command's build when it is current, else through tsx, in one Node
  // process each (the tsx command starts two): see loaders/site/runLoader.mjs.
  interpreters: {".ts": [process.execPath, RUN_LOADER]},
  title: "Plumbline",
  pages: [...pages, ...notebooks.map((n) => ({name: n.title, path: n.path}))],
  // Page links end in .html and the home page is index.html: a plain static server or an object store maps
  // nothing, and Framework's extension-less links 404 there. Framework's preview redirects to the same URLs.
  preserveExtension: true,
  preserveIndex: true,
  sidebar: false,
  pager: false,
  header,
  style: "style.css",
  globalStylesheets: [],
  head: '<link rel="icon" href="data:,">',
  footer: "Plumbline",
  search: false,
  toc: false
};
