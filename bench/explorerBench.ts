/**
 * @module Time to first render of the trace explorer in Chromium, on the workspace the ingest benchmark built
 * (a million OTLP spans), with the site built offline and served from loopback under its strict policy.
 */
import {existsSync} from "node:fs";
import {join} from "node:path";
import {measureExplorer, type ExplorerFigures} from "./measureExplorer.js";
import {fmt, OUT, table} from "./run.js";

export async function explorerBench(workspace = join(OUT, "ws-ingest")): Promise<ExplorerFigures> {
  if (!existsSync(join(workspace, "plumbline.duckdb"))) {
    throw new Error(`no workspace at ${workspace}: run the ingest section first (npm run bench -- ingest explorer)`);
  }
  const figures = await measureExplorer(workspace);
  const problems = figures.problems;
  if (problems.external || problems.failed.length || problems.console.length || problems.csp.length) {
    throw new Error(`the explorer had problems: ${JSON.stringify(problems)}`);
  }
  console.log(
    table([
      ["explorer", "time"],
      ["site build (loaders included)", fmt.ms(figures.buildMs)],
      [
        `first render of the trace list (median of ${figures.firstRenders.map(fmt.ms).join(", ")})`,
        fmt.ms(figures.firstRenderMs)
      ],
      ...figures.openTraceMs.map((ms, i) => [
        `open a trace (${i === 0 ? "first, loads the index" : "again"})`,
        fmt.ms(ms)
      ]),
      ["first text search", fmt.ms(figures.firstSearchMs)],
      ...Object.entries(figures.dataFiles).map(([name, bytes]) => [`  ${name}`, fmt.mb(bytes / 1e6)])
    ])
  );
  return figures;
}
