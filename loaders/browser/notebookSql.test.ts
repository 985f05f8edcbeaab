// SQL in a notebook: DuckDB-WASM from the built site itself (the page tests' shared one), under the strict policy
// (sent as a header on every file, the worker's included), in Chromium with the network cut off. The count the SQL
// cell shows is checked against the verdict table the page queried, read here in Node.
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {tableFromArrays, tableFromIPC, tableToIPC} from "apache-arrow";
import type {OpenSite} from "./openBuiltSite.js";
import {recordedPage} from "./chromium.js";
import {assertClean} from "./assertClean.js";
import {openFixtureSite} from "../fixtures/fixtureSite.js";

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)]
  );
}

describe("SQL in a notebook, offline", {timeout: 600_000}, () => {
  let built: OpenSite;

  before(async () => {
    built = await openFixtureSite();
  });

  after(() => built?.close());

  it("runs the notebook's SQL cell in the browser and shows the verdict table's own counts, with no console error", async () => {
    const {site, server, browser} = built;
    assert.deepEqual(site.networkRequests, [], "the build asked the network for something");
    const files = filesUnder(site.distDir);
    const arrow = files.find((f) => /(^|\/)data\/verdicts\.[\w-]+\.arrow$/.test(f));
    assert.ok(arrow, `the verdict table is in the site: ${files.join(", ")}`);
    const rows = tableFromIPC(readFileSync(join(site.distDir, arrow))).toArray();
    const counted = rows.filter((r) => !r.in_sample);
    const disagreements = counted.filter((r) => r.judge !== r.human).length;
    assert.ok(counted.length > 0 && disagreements > 0, "the fixture has labelled verdicts, some disagreeing");
    // The site serves DuckDB's own files, one bundle only.
    assert.equal(files.filter((f) => f.endsWith(".wasm")).length, 1, "one WebAssembly module");

    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/notebooks/calibration-by-model.html`);
    const total = page.locator(".pl-nb-sql-total");
    await total.waitFor({timeout: 60_000});
    assert.equal(
      await total.innerText(),
      `${counted.length} labelled verdicts, ${disagreements} of them disagreements.`
    );
    const models = await page.locator("table.pl-nb-sql tbody tr").allInnerTexts();
    const byModel = new Map<string, number>();
    for (const r of counted) {
      const model = (r.judge_model as string | null) ?? "(deterministic check)";
      byModel.set(model, (byModel.get(model) ?? 0) + 1);
    }
    assert.equal(models.length, byModel.size);
    for (const line of models) {
      const [model, verdicts] = line.split("\t");
      assert.equal(Number(verdicts), byModel.get(model!), `${model}: verdicts`);
    }
    assert.ok(
      record.requests.some((url) => /_node\/@duckdb\/duckdb-wasm@[^/]+\/dist\/duckdb-eh\.wasm$/.test(url)),
      "DuckDB's module came from the site"
    );
    assertClean(record, "notebooks/calibration-by-model");
  });

  it("fills placeholders as values and opens Arrow's file format as well as its stream format", async () => {
    const {site, server, browser} = built;
    const files = filesUnder(site.distDir);
    const module = files.find((f) => /^_import\/components\/sql\.[\w-]+\.js$/.test(f));
    assert.ok(module, "the helper is in the site");
    const file = [...tableToIPC(tableFromArrays({name: ["a", "b'; DROP TABLE t; --", "c"], n: [1, 2, 3]}), "file")];
    const {page, record} = await recordedPage(browser);
    await page.goto(`${server.url}/notebooks/calibration-by-model.html`);
    const rows = await page.evaluate(
      async ({module, file}) => {
        const {openDuckDB} = await import(module);
        const db = await openDuckDB({tables: {t: new Uint8Array(file)}});
        try {
          return {
            matched: await db.query("SELECT n FROM t WHERE name = ?", ["b'; DROP TABLE t; --"]),
            count: await db.query("SELECT count(*) AS rows FROM t")
          };
        } finally {
          await db.close();
        }
      },
      {module: `/${module}`, file}
    );
    assert.deepEqual(rows, {matched: [{n: 2}], count: [{rows: 3}]});
    assertClean(record, "openDuckDB in the page");
  });
});
