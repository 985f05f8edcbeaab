/**
 * @module How the page tests start Debian's Chromium: its path and its flags. Plain JavaScript, so that
 * scripts/test.mjs can start the one Chromium a test run shares (see `launchChromium` in chromium.ts).
 */

export const CHROMIUM_PATH = process.env.PLUMBLINE_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // DuckDB-WebAssembly (the notebooks' SQL) runs from its baseline compile: the optimizing compile of its 34 MB
  // module, in the background on every page that loads it, cost the two notebook tests about 6 s of their 76 s of
  // CPU, and the tests' queries are small.
  "--js-flags=--no-wasm-tier-up",
  // Rules are separated by commas and EXCLUDE takes one host, so "EXCLUDE localhost,127.0.0.1" would leave
  // 127.0.0.1 mapped to nothing; each loopback name gets its own rule.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
];

/**
 * Set by scripts/test.mjs to the address of the Chromium it started for the run: each test file connects to it
 * (a page of its own in a context of its own) instead of starting one, which costs 1.3 s of CPU each time.
 */
export const SHARED_CHROMIUM_ENV = "PLUMBLINE_TEST_CHROMIUM";
