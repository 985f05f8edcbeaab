/** @module `plumbline dataset promote|list|show|export|import|remove`: versioned evaluation datasets. */
import {DatasetNameSchema, type DatasetCase} from "../../src/core/schemas/dataset.js";
import {caseFileFormat, readCases, writeCases, type CaseProblem} from "../datasets/caseFiles.js";
import {promoteTraces, type PromoteSource} from "../datasets/promote.js";
import {writeNextVersion} from "../datasets/versions.js";
import {withConnection, withReadConnection, workspaceDir} from "../store/db.js";
import {listDatasetVersions, parseDatasetRef, readDatasetCases} from "../store/datasets.js";
import {requireWorkspace} from "./clusterCommand.js";
import {CliError, parseVerbArgs, usageError} from "./error.js";
import type {Command, Io} from "./command.js";
import {afterWorkspaceChange} from "../workspace/changed.js";

const help = `Usage: plumbline dataset <promote | list | show | export | import | remove> [options]

Named, versioned evaluation datasets. A case is self-contained: the trace's input and full context (messages,
tool calls, spans, numbers), the expected output (an annotator's corrected output) or behaviour (the rubric
criterion and the reviewers' explanation), its failure mode, source trace, who added it and why. Every change
writes a new version; versions are never edited.

  promote <name> --by <who> (--queue <id> | --cluster <id> | --failure-mode <name> | --trace <id>…)
          [--reason <text>] [--limit <n>] [--long-output <chars>] [--dry-run] [--json]
      Adds traces as cases, confirmed failures (ground truth fails) first, then cases worth protecting:
      new topics (a semantic cluster the dataset does not cover yet), long outputs (a final answer at least
      the workspace's 90th-percentile length, or --long-output), edge cases (annotators disagreed or tied, a
      tool failed and the trace recovered, the trace errored, no final answer). Other traces are left out with
      the reason, except those named with --trace. A trace already in the dataset is never added twice.
      Each promoted trace records the review outcome dataset_case.
  list [--json]                                   every dataset with its versions
  show <name[@version]> [--json]                  the cases of a version (default: the latest)
  export <name[@version]> --out <file.jsonl | file.parquet>
  import <file.jsonl | file.parquet> --name <name> --by <who> [--reason <text>] [--replace] [--strict]
      Adds the file's cases as a new version (a case id the dataset holds is replaced); --replace makes the
      new version exactly the file's cases. A bad line is reported with file, line and reason and the rest
      are imported; --strict then exits with status 1.
  remove <name> --case <id>… --by <who> [--reason <text>]   a new version without those cases

Options:
  --workspace <dir>    the workspace folder (default: $PLUMBLINE_WORKSPACE or data/)
  -h, --help           show this help

Exit status: 0 on success, 1 on an error (or --strict with bad lines), 2 on a usage error.`;

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`invalid --${name}: ${value} (a whole number from 1)`, "dataset");
  return n;
}

function ref(text: string | undefined): {name: string; version?: number} {
  if (!text) throw usageError("name the dataset: <name> or <name>@<version>", "dataset");
  try {
    return parseDatasetRef(text);
  } catch (error) {
    throw usageError((error as Error).message, "dataset");
  }
}

function datasetName(text: string | undefined): string {
  if (!text) throw usageError("name the dataset", "dataset");
  const parsed = DatasetNameSchema.safeParse(text);
  if (!parsed.success)
    throw usageError(`invalid dataset name ${JSON.stringify(text)}: ${parsed.error.issues[0]!.message}`, "dataset");
  return parsed.data;
}

function requireBy(by: string | undefined): string {
  if (!by?.trim()) throw usageError("say who is making the change: --by <name>", "dataset");
  return by.trim();
}

const where = (p: CaseProblem, parquet: boolean) => (parquet ? `${p.file}: row ${p.line}` : `${p.file}:${p.line}`);
const excerpt = (text: string | null, n = 80) =>
  (text === null ? "—" : text.length > n ? `${text.slice(0, n - 1)}…` : text).replace(/\s+/g, " ");

export const command: Command = {
  name: "dataset",
  summary: "promote traces into versioned evaluation datasets; export and import them",
  help,
  async run(args, io) {
    const {values, positionals} = parseVerbArgs("dataset", {
      args,
      allowPositionals: true,
      options: {
        workspace: {type: "string"},
        by: {type: "string"},
        reason: {type: "string"},
        queue: {type: "string"},
        cluster: {type: "string"},
        "failure-mode": {type: "string"},
        trace: {type: "string", multiple: true},
        case: {type: "string", multiple: true},
        limit: {type: "string"},
        "long-output": {type: "string"},
        out: {type: "string"},
        name: {type: "string"},
        "dry-run": {type: "boolean", default: false},
        replace: {type: "boolean", default: false},
        strict: {type: "boolean", default: false},
        json: {type: "boolean", default: false}
      }
    });
    const [action, target, ...extra] = positionals;
    if (extra.length) throw usageError(`unexpected argument: ${extra[0]}`, "dataset");
    const workspace = values.workspace ?? workspaceDir(io.env);
    if (!action) throw usageError("name an action: promote, list, show, export, import or remove", "dataset");
    if (!["promote", "list", "show", "export", "import", "remove"].includes(action))
      throw usageError(`unknown dataset action: ${action}`, "dataset");
    requireWorkspace(workspace);
    switch (action) {
      case "promote":
        return await promote(workspace, target, values, io);
      case "list":
        return await list(workspace, values.json, io);
      case "show":
        return await show(workspace, target, values.json, io);
      case "export": {
        const {name, version} = ref(target);
        if (!values.out)
          throw usageError("name the file to write: --out cases.jsonl or --out cases.parquet", "dataset");
        const format = caseFileFormat(values.out);
        const data = await withReadConnection(workspace, (c) => readDatasetCases(c, name, version));
        await writeCases(values.out, data.cases);
        io.out(`wrote ${data.cases.length} cases of ${data.name}@${data.version} to ${values.out} (${format})`);
        return 0;
      }
      case "import":
        return await importFile(workspace, target, values, io);
      case "remove": {
        const name = datasetName(target);
        const ids = values.case ?? [];
        if (!ids.length) throw usageError("name the cases to remove: --case <id>", "dataset");
        const by = requireBy(values.by);
        const written = await withConnection(workspace, (c) =>
          writeNextVersion(c, {
            name,
            removeIds: ids,
            createdBy: by,
            source: "remove",
            note: values.reason ?? null,
            now: new Date()
          })
        );
        for (const id of written.unknownIds) io.err(`${name} has no case ${JSON.stringify(id)}`);
        if (written.version === null)
          throw new CliError(
            `nothing removed: ${name} holds none of those cases; \`plumbline dataset show ${name}\` lists them`
          );
        await afterWorkspaceChange(workspace);
        io.out(`${name}@${written.version}: removed ${written.removed}, ${written.cases.length} cases`);
        return 0;
      }
    }
    return 2;
  }
};

type Values = Record<string, string | boolean | string[] | undefined>;

async function promote(workspace: string, target: string | undefined, values: Values, io: Io): Promise<number> {
  const name = datasetName(target);
  const by = requireBy(values.by as string | undefined);
  const traces = (values.trace as string[] | undefined) ?? [];
  const given: PromoteSource[] = [
    ...(values.queue ? [{kind: "queue", id: values.queue as string} as const] : []),
    ...(values.cluster ? [{kind: "cluster", id: values.cluster as string} as const] : []),
    ...(values["failure-mode"] ? [{kind: "failure-mode", name: values["failure-mode"] as string} as const] : []),
    ...(traces.length ? [{kind: "traces", ids: traces} as const] : [])
  ];
  if (given.length !== 1)
    throw usageError("give exactly one source: --queue, --cluster, --failure-mode or --trace", "dataset");
  const longOutput = positiveInt(values["long-output"] as string | undefined, "long-output");
  const limit = positiveInt(values.limit as string | undefined, "limit");
  const dryRun = values["dry-run"] === true;
  const result = await withConnection(workspace, (c) =>
    promoteTraces(c, {
      workspace,
      name,
      source: given[0]!,
      addedBy: by,
      now: new Date(),
      dryRun,
      ...(values.reason ? {reason: values.reason as string} : {}),
      ...(limit ? {limit} : {}),
      ...(longOutput ? {longOutputChars: longOutput} : {})
    })
  );
  if (result.version !== null) await afterWorkspaceChange(workspace);
  for (const p of result.problems) io.err(p);
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          name,
          version: result.version,
          dryRun,
          longOutputChars: result.longOutputChars,
          added: result.picks.map((p) => ({traceId: p.traceId, kind: p.kind, why: p.why})),
          skipped: result.skipped
        },
        null,
        2
      )
    );
    return 0;
  }
  for (const p of result.picks) io.out(`  + ${p.kind.padEnd(17)} ${p.traceId}  ${p.why}`);
  for (const s of result.skipped) io.out(`  - ${"skipped".padEnd(17)} ${s.traceId}  ${s.reason}`);
  if (dryRun) io.out(`dry run: would add ${result.picks.length} cases to ${name}`);
  else if (result.version === null)
    io.out(`nothing to add to ${name}: no trace was a confirmed failure or worth protecting, or all are in it already`);
  else io.out(`${name}@${result.version}: added ${result.added.length} cases`);
  return 0;
}

async function list(workspace: string, json: boolean, io: Io): Promise<number> {
  const versions = await withReadConnection(workspace, (c) => listDatasetVersions(c));
  if (json) {
    io.out(JSON.stringify(versions, null, 2));
    return 0;
  }
  if (!versions.length) {
    io.out("no datasets yet; promote traces with `plumbline dataset promote <name> --queue <id> --by <you>`");
    return 0;
  }
  for (const v of versions) {
    io.out(
      `${v.name}@${v.version}\t${v.caseCount} cases (+${v.added} −${v.removed})\t${v.createdAt.slice(0, 16).replace("T", " ")}\t${v.createdBy}\t${v.source}${v.note ? `\t${v.note}` : ""}`
    );
  }
  return 0;
}

async function show(workspace: string, target: string | undefined, json: boolean, io: Io): Promise<number> {
  const {name, version} = ref(target);
  const data = await withReadConnection(workspace, (c) => readDatasetCases(c, name, version));
  if (json) {
    io.out(JSON.stringify(data, null, 2));
    return 0;
  }
  io.out(`${data.name}@${data.version}: ${data.cases.length} cases`);
  for (const c of data.cases) {
    io.out(`${c.caseId}  [${c.kind}]${c.failureMode ? `  ${c.failureMode}` : ""}  added by ${c.addedBy}: ${c.reason}`);
    io.out(`    input:     ${excerpt(c.input)}`);
    io.out(`    expected:  ${excerpt(c.expectedOutput ?? c.expectedBehaviour)}`);
  }
  return 0;
}

async function importFile(workspace: string, file: string | undefined, values: Values, io: Io): Promise<number> {
  if (!file)
    throw usageError(
      "name the file to import: plumbline dataset import cases.jsonl --name <dataset> --by <you>",
      "dataset"
    );
  const name = datasetName(values.name as string | undefined);
  const by = requireBy(values.by as string | undefined);
  const parquet = caseFileFormat(file) === "parquet";
  const {cases, problems} = await readCases(file);
  for (const p of problems) io.err(`${where(p, parquet)}: ${p.reason}`);
  let written: {version: number | null; cases: DatasetCase[]; added: number; removed: number} = {
    version: null,
    cases: [],
    added: 0,
    removed: 0
  };
  if (cases.length) {
    written = await withConnection(workspace, (c) =>
      writeNextVersion(c, {
        name,
        add: cases,
        replaceAll: values.replace === true,
        createdBy: by,
        source: `import:${file}`,
        note: (values.reason as string | undefined) ?? null,
        now: new Date()
      })
    );
    if (written.version !== null) await afterWorkspaceChange(workspace);
  }
  const rejected = problems.length ? `; ${problems.length} rejected` : "";
  if (written.version !== null) {
    io.out(
      `${name}@${written.version}: imported ${cases.length} cases, ${written.added} new or changed (${written.cases.length} in all, ${written.removed} replaced or removed)${rejected}`
    );
  } else if (cases.length) {
    io.out(`nothing new: ${name} already holds these ${cases.length} cases as they are${rejected}`);
  } else {
    io.out(
      `imported nothing into ${name}${problems.length ? `: all ${problems.length} lines were rejected` : ": the file holds no case"}`
    );
  }
  if (!cases.length) return 1;
  return values.strict === true && problems.length ? 1 : 0;
}
