/**
 * @module One measured job on a large annotation log, in a fresh process so its peak memory is its own.
 * Usage: node --import tsx bench/annotationLogChild.ts <start|export> <workspace>
 * Prints one JSON object. `start` starts the API server (without the pages) and times it until it listens and
 * until the store mirrors the log; `export` runs `plumbline annotations export`, counting the output's bytes.
 * Run with --expose-gc, `start` also reports the heap the running server retains (after a full collection),
 * which peak RSS overstates: the fold leaves every superseded version of a label behind as garbage.
 */
import {main} from "../loaders/cli/main.js";
import {startServer} from "../loaders/server/serve.js";

const [mode, workspace] = process.argv.slice(2);
if ((mode !== "start" && mode !== "export") || !workspace)
  throw new Error("usage: annotationLogChild.ts <start|export> <workspace>");

const started = performance.now();
if (mode === "start") {
  const server = await startServer({workspace, host: "127.0.0.1", port: 0, pages: false});
  const listeningMs = performance.now() - started;
  const labels = server.service.list().length;
  await server.service.flush();
  const mirroredMs = performance.now() - started;
  (globalThis as {gc?: () => void}).gc?.();
  const retainedHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  await server.close();
  process.stdout.write(
    JSON.stringify({
      listeningMs,
      mirroredMs,
      labels,
      retainedHeapMb,
      peakRssMb: process.resourceUsage().maxRSS / 1024
    }) + "\n"
  );
} else {
  let bytes = 0;
  let lines = 0;
  const code = await main(["annotations", "export", "--workspace", workspace], {
    out: (text) => {
      bytes += Buffer.byteLength(text) + 1;
      lines += text.split("\n").length;
    },
    err: (text) => process.stderr.write(`${text}\n`),
    env: {}
  });
  if (code !== 0) throw new Error(`export exited ${code}`);
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ms, lines, bytes, peakRssMb: process.resourceUsage().maxRSS / 1024}) + "\n");
}
