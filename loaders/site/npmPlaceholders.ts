/**
 * @module Stops `observable build` from asking the npm registry for versions it never uses.
 *
 * Framework's client bundles (`client.js`, `stdlib.js`) hold lazy `import("npm:…")` calls for the libraries a
 * page may use implicitly (`d3`, `Plot`, `html`, `FileAttachment(…).csv()`, …). Bundling them makes Framework
 * resolve a version for each name, and with an empty npm cache that is a request to the registry, even when no
 * page uses the library. An empty folder `_npm/<name>@<version>` in the cache answers the question locally.
 *
 * The version is deliberately fake: the built site then names a file that does not exist, so a page that did
 * use one of these libraries implicitly fails the offline build (Framework tries to download it) instead of
 * quietly depending on a CDN. Pages import what they use from node_modules, which this does not touch.
 */
import {mkdirSync} from "node:fs";
import {join} from "node:path";
import {cacheDir} from "./cache.js";

export const PLACEHOLDER_VERSION = "0.0.0-offline";

/** The names found by building with the network guard until the registry was asked for nothing (Framework 1.13.4). */
export const PLACEHOLDER_PACKAGES = [
  "@observablehq/plot",
  "@observablehq/sample-datasets",
  "apache-arrow",
  "arquero",
  "d3",
  "d3-dsv",
  "echarts",
  "htl",
  "leaflet",
  "lodash",
  "mapbox-gl",
  "parquet-wasm",
  "react",
  "react-dom",
  "topojson-client"
] as const;

/** Creates the placeholder folders under the source root's cache (idempotent). */
export function ensureNpmPlaceholders(sourceRoot: string): void {
  for (const name of PLACEHOLDER_PACKAGES) {
    mkdirSync(join(cacheDir(sourceRoot), "_npm", `${name}@${PLACEHOLDER_VERSION}`), {recursive: true});
  }
}
