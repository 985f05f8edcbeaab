/** @module The aligned-label export written to standard output, for the page's download loaders. */
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {exportAligned} from "../store/calibration.js";
import {tableExists} from "../store/db.js";
import {withReadConnection, workspaceDir} from "../store/read.js";
import type {InSampleTraces} from "./inSample.js";

/** DuckDB writes the file (COPY … TO); it goes through a temporary file so the bytes reach stdout whole. */
export async function writeExportToStdout(format: "csv" | "parquet", inSample: InSampleTraces): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-export-"));
  try {
    const path = join(dir, `labels.${format}`);
    await withReadConnection(workspaceDir(), async (connection) => {
      if (!(await tableExists(connection, "judge_verdicts"))) {
        await connection.run(
          `COPY (SELECT NULL::VARCHAR AS evaluator_id WHERE false) TO '${path}' (FORMAT ${format}${format === "csv" ? ", HEADER true" : ""})`
        );
        return;
      }
      // The same in-sample marks as the page's figures, which leave those rows out.
      await exportAligned(connection, path, format, undefined, inSample);
    });
    process.stdout.write(readFileSync(path));
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
