/**
 * @module The `plumbline` command: one flat dispatcher. Each verb lives in its own module, loaded only when it
 * runs, and throws a `PlumblineError` (a command's `CliError`, or a library's own subclass) for failures the user
 * can act on; only this function turns those into a message and an exit status.
 */
import {PlumblineError} from "../errors.js";
import type {Command, Io} from "./command.js";
import {terminalIo} from "./terminalText.js";

/** Verbs in the order `plumbline --help` lists them. */
const VERBS: Record<string, {summary: string; load: () => Promise<Command>}> = {
  ingest: {
    summary: "read trace files into the workspace",
    load: async () => (await import("./ingestCommand.js")).command
  },
  demo: {
    summary: "build the bundled demo workspace from real public traces",
    load: async () => (await import("./demoCommand.js")).command
  },
  start: {
    summary: "serve the environment on 127.0.0.1",
    load: async () => (await import("./siteCommand.js")).startCommand
  },
  build: {
    summary: "build the static report site into dist/",
    load: async () => (await import("./siteCommand.js")).buildCommand
  },
  judge: {
    summary: "run an evaluator or LLM judge over the workspace's traces",
    load: async () => (await import("./judgeCommand.js")).command
  },
  online: {
    summary: "run online evaluators and automation rules as traces arrive",
    load: async () => (await import("./onlineCommand.js")).command
  },
  calibrate: {
    summary: "compare judge verdicts with human labels; import and export judgment sets",
    load: async () => (await import("./calibrateCommand.js")).command
  },
  generate: {
    summary: "generate an evaluator spec for a failure mode from its annotated traces",
    load: async () => (await import("./generateCommand.js")).command
  },
  gate: {
    summary: "run the evaluator suite on a candidate and block it when a trusted evaluator fails it",
    load: async () => (await import("./gateCommand.js")).command
  },
  cluster: {
    summary: "group failing traces into signature and semantic clusters",
    load: async () => (await import("./clusterCommand.js")).command
  },
  "failure-mode": {
    summary: "list, promote and move failure modes through their lifecycle",
    load: async () => (await import("./failureModeCommand.js")).command
  },
  // Annotation: queues, feedback import, label export and adjudication.
  queue: {
    summary: "create and inspect prioritized annotation queues",
    load: async () => (await import("./queueCommand.js")).command
  },
  feedback: {
    summary: "import thumbs, support tickets and QA sheets as labels",
    load: async () => (await import("./feedbackCommand.js")).command
  },
  annotations: {
    summary: "export labels, measure agreement, adjudicate, edit the rubric",
    load: async () => (await import("./annotationsCommand.js")).command
  },
  dataset: {
    summary: "promote traces into versioned evaluation datasets; export and import them",
    load: async () => (await import("./datasetCommand.js")).command
  },
  review: {
    summary: "record what completed reviews led to; list those that led nowhere",
    load: async () => (await import("./reviewCommand.js")).command
  },
  experiment: {
    summary: "run a candidate on a dataset and record its outputs; list and show experiments",
    load: async () => (await import("./experimentCommand.js")).command
  },
  pairwise: {
    summary: "ask a pairwise judge about two experiments' outputs; measure its and the reviewers' agreement",
    load: async () => (await import("./pairwiseCommand.js")).command
  },
  notebook: {
    summary: "write a starting notebook of your own into src/notebooks/",
    load: async () => (await import("./notebookCommand.js")).command
  }
};

/** The verbs, in the order `plumbline --help` lists them. */
export function verbNames(): string[] {
  return Object.keys(VERBS);
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(VERBS).map((v) => v.length));
  return [
    "Usage: plumbline <command> [options]",
    "",
    "Make LLM evaluations agree with the people who know what good means.",
    "",
    "Commands:",
    ...Object.entries(VERBS).map(([name, verb]) => `  ${name.padEnd(width)}  ${verb.summary}`),
    "",
    "Run `plumbline <command> --help` for a command's options.",
    "The workspace is the folder named by PLUMBLINE_WORKSPACE, or data/ in the project."
  ].join("\n");
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  env: process.env
};

export async function main(argv: string[], rawIo: Io = defaultIo): Promise<number> {
  // Every command prints through this one writer, so no trace or label text reaches the terminal unescaped.
  const io = terminalIo(rawIo);
  const [verb, ...args] = argv;
  if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
    if (verb === "help" && args[0] && VERBS[args[0]]) return main([args[0], "--help"], rawIo);
    io.out(mainHelp());
    return verb === undefined ? 2 : 0;
  }
  if (verb === "--version") {
    io.out("plumbline 0.1.0");
    return 0;
  }
  const entry = VERBS[verb];
  if (!entry) {
    io.err(`unknown command: ${verb}\n\n${mainHelp()}`);
    return 2;
  }
  const command = await entry.load();
  if (args.includes("--help") || args.includes("-h")) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof PlumblineError) {
      io.err(`plumbline ${verb}: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}
