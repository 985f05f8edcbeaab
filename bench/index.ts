/**
 * @module `npm run bench`: prints every benchmark's figures and writes them to bench/out/results.json.
 * `npm run bench -- ingest` runs one section; `--spans N` scales the ingest benchmark.
 */
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {availableParallelism, cpus, totalmem} from "node:os";
import {annotationLogBench} from "./annotationLogBench.js";
import {annotationsBench} from "./annotationsBench.js";
import {calibrationBench} from "./calibrationBench.js";
import {cliBench} from "./cliBench.js";
import {clustersBench} from "./clustersBench.js";
import {datasetsBench} from "./datasetsBench.js";
import {experimentsBench} from "./experimentsBench.js";
import {explorerBench} from "./explorerBench.js";
import {generateBench} from "./generateBench.js";
import {gateBench} from "./gateBench.js";
import {ingestBench, ingestMemoryBench} from "./ingestBench.js";
import {intakeBench} from "./intakeBench.js";
import {judgeGenerationBench} from "./judgeGenerationBench.js";
import {monitorBench} from "./monitorBench.js";
import {ensureCommandBuilt, OUT} from "./run.js";
import {suiteBench} from "./suiteBench.js";

const {values, positionals} = parseArgs({
  allowPositionals: true,
  options: {
    spans: {type: "string", default: "1000000"},
    "intake-seconds": {type: "string", default: "20"},
    long: {type: "boolean", default: false},
    "intake-gzip": {type: "boolean", default: false},
    "intake-profile": {type: "string"},
    "intake-reader": {type: "string"},
    baseline: {type: "string"},
    "suite-baseline": {type: "string"},
    help: {type: "boolean", short: "h", default: false}
  }
});
// One name per line, so that adding a section never conflicts with adding another.
const ALL = [
  "ingest",
  "intake",
  "explorer",
  "monitor",
  "clusters",
  "annotations",
  "annotation-log",
  "calibration",
  "generate",
  "judge-generation",
  "datasets",
  "gate",
  "experiments",
  "cli"
];
if (values.help) {
  console.log(`Usage: npm run bench -- [section...] [--spans N] [--intake-seconds N] [--baseline DIR]
       [--suite-baseline REF]

Sections: ${ALL.join(", ")} (default: all; explorer uses the workspace that ingest builds).
Also ingest-memory, not in the default run: the ingest's peak memory at 250,000 spans and doubling up to four times
--spans (about 7.5 GB of generated input at the default). --intake-seconds N sends to the live receiver for N
seconds (default 20); --long is the ten-minute memory run (600 s, RSS sampled every 10 s). Requests go as exporters
send them by default, uncompressed protobuf; --intake-gzip gzips them (Content-Encoding: gzip).
--intake-profile DIR writes the receiver's CPU profile (node --cpu-prof) to DIR. --intake-reader MS has another
process read the store every MS ms while the clients send, as a page's data loader would, and prints how long its
reads waited for the store the intake holds. --baseline DIR times the ingest of another checkout
(another version's worktree with its node_modules) in the same rounds and prints this ingest's ratio to it.
Also suite, not in the default run (about twenty minutes): \`npm test\` on fresh clones of this commit and of
--suite-baseline REF, one after the other, and this commit's tests that stand for REF's, with the checks.
Figures print as tables and are written to bench/out/results.json.`);
  process.exit(0);
}
const sections = positionals.length ? positionals : ALL;
ensureCommandBuilt();
const results: Record<string, unknown> = {
  machine: {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version
  },
  date: new Date().toISOString()
};
for (const section of sections) {
  console.log(`\n## ${section}`);
  if (section === "ingest") results.ingest = await ingestBench(Number(values.spans), values.baseline);
  else if (section === "ingest-memory") results.ingestMemory = await ingestMemoryBench(4 * Number(values.spans));
  else if (section === "intake")
    results.intake = await intakeBench(values.long ? 600 : Number(values["intake-seconds"]), {
      profileDir: values["intake-profile"],
      gzip: values["intake-gzip"],
      ...(values["intake-reader"] ? {readerEveryMs: Number(values["intake-reader"])} : {})
    });
  else if (section === "explorer") results.explorer = await explorerBench();
  else if (section === "monitor") results.monitor = await monitorBench();
  else if (section === "clusters") results.clusters = await clustersBench();
  else if (section === "annotations") results.annotations = await annotationsBench();
  else if (section === "annotation-log") results.annotationLog = await annotationLogBench();
  else if (section === "calibration") results.calibration = await calibrationBench();
  else if (section === "generate") results.generate = await generateBench();
  else if (section === "datasets") results.datasets = await datasetsBench();
  else if (section === "gate") results.gate = await gateBench();
  else if (section === "experiments") results.experiments = await experimentsBench();
  else if (section === "cli") results.cli = await cliBench();
  else if (section === "suite") results.suite = await suiteBench(values["suite-baseline"]);
  else if (section === "judge-generation") results.judgeGeneration = await judgeGenerationBench();
  else throw new Error(`unknown section ${section}`);
}
mkdirSync(OUT, {recursive: true});
writeFileSync(join(OUT, "results.json"), JSON.stringify(results, null, 2));
console.log(`\nfigures written to bench/out/results.json`);
