// Framework configuration for the Plumbline app. Everything a page needs is served by the site itself: no web
// fonts, no CDN imports, no registry lookups while building, and no telemetry.
import {invalidateIfWorkspaceChanged} from "./loaders/browser/cache.js";
import {ensureNpmPlaceholders} from "./loaders/browser/npmPlaceholders.js";
import {workspaceDir} from "./loaders/store/read.js";

const root = "src";

// Framework reports usage to observablehq.com unless told not to; Plumbline runs where nothing may leave.
process.env.OBSERVABLE_TELEMETRY_DISABLE ??= "true";

// Framework's loader cache cannot see the workspace; clear it when the workspace is not the one it was built from.
invalidateIfWorkspaceChanged(root, workspaceDir());
// Without these, building the client bundles asks the npm registry for versions of libraries no page uses.
ensureNpmPlaceholders(root);

export default {
  root,
  title: "Plumbline",
  pages: [
    {name: "Overview", path: "/"},
    {name: "Traces", path: "/traces"}
  ],
  style: "style.css",
  globalStylesheets: [],
  head: '<link rel="icon" href="data:,">',
  footer: "Plumbline",
  search: false,
  toc: false
};
