/** @module `plumbline cluster`: signature and semantic failure clusters, written to the workspace. */
import {mirror} from "../failureModes/actions.js";
import {
  DEFAULT_CLUSTER_OPTIONS,
  runClustering,
  type ClusterOptions,
  type ClusterSummary
} from "../clusters/runClustering.js";
import {DEFAULT_SIGNATURE_OPTIONS} from "../../src/core/clusters/signature.js";
import {existsSync} from "node:fs";
import {dbPath, withConnection, workspaceDir} from "../store/db.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command, Io} from "./command.js";
import {progressBar} from "./progress.js";
import {createChatClient} from "../judge/chatClient.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline cluster [options]

Groups the workspace's failing and flagged traces so that one review item stands for many traces:

  signature clusters  traces that share what went wrong: the first failing tool (or step) and its error (ids,
                      numbers and quotes stripped), retrieval misses, and where the structure shows no failure
                      the kind of miss (a blamed agent, negative feedback, an error status). Never the file,
                      format, calling agent or feedback presence: one failure is one signature
  semantic clusters   the evidence of what went wrong (errors, failed tool results, the turns around the first
                      failure, the final answer, annotators' notes, failing judges' reasoning) embedded (TF-IDF
                      offline, or an OpenAI-compatible embeddings endpoint), projected to 2-D with UMAP (seeded)
                      and grouped by k-means, k chosen by the silhouette, --runs times; the clusters are what
                      most of those runs agree on, each named by its most distinctive words and phrases. Fitted
                      on a seeded sample of --max-traces; every other flagged trace joins the nearest cluster
  topic clusters      the same traces by what they are about (user turns, tools, speakers): a second lens,
                      shown as "about: …" beside each cluster

Writes the clusters and trace_clusters tables, replacing the previous run. Open the Clusters page to review.

Options:
  --embeddings <kind>   tfidf (default; no network) or openai
  --model <name>        embeddings model for --embeddings openai (default: text-embedding-3-small)
  --base-url <url>      OpenAI-compatible API base URL (default: $OPENAI_BASE_URL, else OpenAI's)
  --api-key-env <name>  environment variable holding the API key (default: OPENAI_API_KEY); the key is never printed
  --batch-size <n>      texts per embeddings request (default: 64)
  --max-traces <n>      fit the semantic and topic clusters on at most n traces, a seeded sample when there are
                        more, and assign the rest to the nearest cluster (default: ${DEFAULT_CLUSTER_OPTIONS.maxTraces})
  --seed <n>            seed for sampling, UMAP and k-means (default: ${DEFAULT_CLUSTER_OPTIONS.seed})
  --max-k <n>           the most clusters one split may make (default: ${DEFAULT_CLUSTER_OPTIONS.maxK})
  --runs <n>            projections each lens's clusters are the consensus of: one alone depends on its seed
                        (default: ${DEFAULT_CLUSTER_OPTIONS.runs}; 1 is fastest)
  --split-threshold <s> split a cluster again only when the split's mean silhouette reaches s, 0–1
                        (default: ${DEFAULT_CLUSTER_OPTIONS.splitThreshold}; lower finds finer clusters)
  --drafts              first draft a failure description of each flagged trace with a chat model (one or two
                        sentences: what went wrong and where), then cluster the drafts; the endpoint is the
                        judge's (--base-url, --api-key-env). Drafts are cached by evidence, model and prompt
                        version in the failure_drafts table, so a rerun calls only for new evidence
  --draft-model <name>  the chat model that drafts (default: gpt-4o-mini)
  --max-calls <n>       the most drafting calls this run may make; the rest keep their evidence (default: 500)
  --concurrency <n>     drafting calls in flight at once (default: 8)
  --signatures-only     skip semantic clustering
  --no-feedback         leave feedback out of signatures (structure only)
  --workspace <dir>     the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  --json                print the run's summary as JSON
  -h, --help            show this help`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw usageError(`invalid --${name}: ${value} (a whole number of at least 1)`, "cluster");
  return n;
}

export const command: Command = {
  name: "cluster",
  summary: "group failing traces into signature and semantic clusters",
  help,
  async run(args, io) {
    const {values} = parseVerbArgs("cluster", {
      args,
      options: {
        embeddings: {type: "string", default: "tfidf"},
        model: {type: "string", default: "text-embedding-3-small"},
        "base-url": {type: "string"},
        "api-key-env": {type: "string", default: "OPENAI_API_KEY"},
        "batch-size": {type: "string"},
        "max-traces": {type: "string"},
        seed: {type: "string"},
        "max-k": {type: "string"},
        "split-threshold": {type: "string"},
        runs: {type: "string"},
        "signatures-only": {type: "boolean", default: false},
        drafts: {type: "boolean", default: false},
        "draft-model": {type: "string", default: "gpt-4o-mini"},
        "max-calls": {type: "string"},
        concurrency: {type: "string"},
        "no-feedback": {type: "boolean", default: false},
        workspace: {type: "string"},
        json: {type: "boolean", default: false}
      }
    });
    const embeddings = values.embeddings;
    if (embeddings !== "tfidf" && embeddings !== "openai")
      throw usageError(`invalid --embeddings: ${embeddings} (tfidf or openai)`, "cluster");
    const seed = values.seed === undefined ? DEFAULT_CLUSTER_OPTIONS.seed : Number(values.seed);
    if (!Number.isInteger(seed)) throw usageError(`invalid --seed: ${values.seed}`, "cluster");
    const splitThreshold =
      values["split-threshold"] === undefined
        ? DEFAULT_CLUSTER_OPTIONS.splitThreshold
        : Number(values["split-threshold"]);
    if (!(splitThreshold >= 0 && splitThreshold <= 1))
      throw usageError(`invalid --split-threshold: ${values["split-threshold"]} (between 0 and 1)`, "cluster");
    const options: ClusterOptions = {
      splitThreshold,
      embeddings,
      maxTraces: positiveInt(values["max-traces"], "max-traces", DEFAULT_CLUSTER_OPTIONS.maxTraces),
      maxK: positiveInt(values["max-k"], "max-k", DEFAULT_CLUSTER_OPTIONS.maxK),
      runs: positiveInt(values.runs, "runs", DEFAULT_CLUSTER_OPTIONS.runs),
      seed,
      semantic: !values["signatures-only"],
      signature: {...DEFAULT_SIGNATURE_OPTIONS, ignoreFeedback: values["no-feedback"]},
      ...(embeddings === "openai"
        ? {
            endpoint: {
              baseURL: values["base-url"] ?? io.env.OPENAI_BASE_URL,
              apiKey: io.env[values["api-key-env"]],
              model: values.model,
              batchSize: positiveInt(values["batch-size"], "batch-size", 64)
            }
          }
        : {})
    };
    if (values.drafts) {
      const keyVar = values["api-key-env"];
      const apiKey = io.env[keyVar];
      if (!apiKey)
        throw new CliError(
          `--drafts calls a chat model and $${keyVar} is not set; export it (or name another variable with --api-key-env), or leave out --drafts to cluster the evidence offline`
        );
      options.drafter = {
        client: createChatClient({
          baseURL: values["base-url"] ?? io.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
          apiKey
        }),
        model: values["draft-model"],
        maxCalls: positiveInt(values["max-calls"], "max-calls", 500),
        concurrency: positiveInt(values.concurrency, "concurrency", 8)
      };
    }
    const summary = await clusterWorkspace(values.workspace ?? workspaceDir(io.env), options, io);
    if (values.json) io.out(JSON.stringify(summary, null, 2));
    else io.out(describeRun(summary));
    return 0;
  }
};

/** Runs clustering with a progress bar and clears the pages' cached data; shared with `plumbline demo`. */
export async function clusterWorkspace(
  workspace: string,
  options: ClusterOptions,
  io: Pick<Io, "err">
): Promise<ClusterSummary> {
  requireWorkspace(workspace);
  const bars = new Map<string, ReturnType<typeof progressBar>>();
  let summary: ClusterSummary;
  try {
    summary = await withConnection(workspace, async (connection) => {
      const result = await runClustering(connection, options, (phase, done, total) => {
        let bar = bars.get(phase);
        if (!bar)
          bars.set(
            phase,
            (bar = progressBar(
              phase === "umap" ? "cluster: umap epochs" : `cluster: ${phase}`,
              process.stderr,
              "items"
            ))
          );
        bar.update(done, total, "");
      });
      // Failure modes count the current members of their signature clusters: refresh their mirror too.
      await mirror(connection, {workspace, now: Date.now()});
      return result;
    });
  } finally {
    for (const bar of bars.values()) bar.done();
  }
  await afterWorkspaceChange(workspace);
  return summary;
}

export function describeRun(summary: ClusterSummary): string {
  const lines = [
    `${summary.flagged} of ${summary.traces} traces have a failure cue`,
    `  ${summary.signatureClusters} signature clusters` +
      (summary.largestSignature
        ? `; the largest, ${summary.largestSignature.size} traces: ${summary.largestSignature.name}`
        : "")
  ];
  if (summary.drafts) {
    const d = summary.drafts;
    lines.push(
      `  ${d.drafted} failure descriptions drafted (${d.cached} from the cache, ${d.calls} call${d.calls === 1 ? "" : "s"}, ${d.errors} failed` +
        (d.skipped ? `, ${d.skipped} traces left with their evidence: the --max-calls budget was spent` : "") +
        ")" +
        (d.firstError ? `; first error: ${d.firstError}` : "")
    );
  }
  if (summary.topic) lines.push(`  ${summary.topic.k} topic clusters (what the traces are about)`);
  if (summary.semantic) {
    const s = summary.semantic;
    lines.push(
      `  ${s.k} semantic clusters of ${s.clustered} traces by ${s.method}` +
        (s.sampled ? ` (fitted on a seeded sample of ${s.sample}, the rest assigned to the nearest cluster)` : "") +
        (s.fetched !== undefined ? `; ${s.cached} embeddings from the cache, ${s.fetched} fetched` : "")
    );
  }
  const seconds = Object.values(summary.timings).reduce((a, b) => a + b, 0) / 1000;
  lines.push(`  done in ${seconds.toFixed(1)} s; open the Clusters page (plumbline start) to review them`);
  return lines.join("\n");
}

/** Clustering or registering failure modes in a folder with no store would only create an empty one. */
export function requireWorkspace(workspace: string): void {
  if (!existsSync(dbPath(workspace))) {
    throw new CliError(`no workspace at ${workspace}; run \`plumbline ingest <files>\` or \`plumbline demo\` first`);
  }
}
