/**
 * @module A command as a task: one process per attempt, the case's JSON on standard input, one JSON answer on
 * standard output (protocol `plumbline.task/1`), as promptfoo's exec provider does. Standard error is kept for the
 * error message only.
 *
 * The environment names the case, so a task that exports OpenTelemetry spans to Plumbline's receiver has them
 * joined to the case's trace: `TRACEPARENT` (W3C trace context: the case's trace id and root span),
 * `OTEL_RESOURCE_ATTRIBUTES` (plumbline.experiment, plumbline.case_id, added to any the environment had),
 * `PLUMBLINE_EXPERIMENT`, `PLUMBLINE_EXPERIMENT_CASE` and `PLUMBLINE_TRACE_ID`.
 *
 * A process that exits with a non-zero status is retried (a task's own upstream may have failed for a moment); an
 * answer that is not valid JSON of the protocol is the case's error at once, since running again mostly buys the
 * same answer. The process runs in its own process group, so a timeout or Ctrl-C ends it and its children.
 */
import {spawn} from "node:child_process";
import {sha256Hex} from "../formats/hash.js";
import type {TaskInput} from "../../src/core/schemas/experimentTask.js";
import {noUsage, readAnswer, traceparentOf, type CaseLink, type Task} from "./task.js";

const MAX_OUTPUT_BYTES = 16 << 20;

export function commandEnv(base: NodeJS.ProcessEnv, link: CaseLink): NodeJS.ProcessEnv {
  const resource = `plumbline.experiment=${encodeURIComponent(link.experiment)},plumbline.case_id=${encodeURIComponent(link.caseId)}`;
  return {
    ...base,
    TRACEPARENT: traceparentOf(link),
    OTEL_RESOURCE_ATTRIBUTES: base.OTEL_RESOURCE_ATTRIBUTES ? `${base.OTEL_RESOURCE_ATTRIBUTES},${resource}` : resource,
    PLUMBLINE_EXPERIMENT: link.experiment,
    PLUMBLINE_EXPERIMENT_CASE: link.caseId,
    PLUMBLINE_TRACE_ID: link.traceId
  };
}

export function commandTask(options: {
  command: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  gitCommit: string | null;
}): Task {
  return {
    description: {
      kind: "command",
      target: options.command,
      version: sha256Hex(`command\u0000${options.command}`).slice(0, 16),
      promptId: null,
      promptVersion: null,
      model: null,
      gitCommit: options.gitCommit
    },
    async attempt(input: TaskInput, link: CaseLink, signal: AbortSignal) {
      const run = await runProcess(
        options.command,
        JSON.stringify(input),
        commandEnv(options.env, link),
        options.cwd,
        signal
      );
      if (run.aborted) return {retry: "aborted"};
      if (run.spawnError) return {end: {ok: false, error: `the command could not start: ${run.spawnError}`}};
      if (run.status !== 0) {
        const why = run.signal ? `was ended by ${run.signal}` : `exited with status ${run.status}`;
        const tail = run.stderr.trim().split("\n").slice(-3).join(" | ").slice(0, 300);
        return {retry: `the command ${why}${tail ? `: ${tail}` : ""}`};
      }
      let value: unknown;
      try {
        value = JSON.parse(run.stdout);
      } catch {
        return {
          end: {ok: false, error: `the command's output is not JSON: ${JSON.stringify(run.stdout.slice(0, 120))}`}
        };
      }
      return {end: readAnswer(value, noUsage)};
    }
  };
}

interface ProcessRun {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  aborted: boolean;
  spawnError: string | null;
}

function runProcess(
  command: string,
  stdin: string,
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
  signal: AbortSignal
): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const child = spawn(command, {shell: true, env, cwd, detached: true, stdio: ["pipe", "pipe", "pipe"]});
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let spawnError: string | null = null;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group has already gone.
      }
    };
    if (signal.aborted) kill();
    signal.addEventListener("abort", kill, {once: true});
    child.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_OUTPUT_BYTES) kill();
      else out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (err.length < 64) err.push(chunk);
    });
    child.stdin.on("error", () => {
      // A task that does not read its input closes the pipe early: its answer still counts.
    });
    child.on("error", (error) => (spawnError = error.message));
    child.on("close", (status, sig) => {
      signal.removeEventListener("abort", kill);
      resolve({
        status,
        signal: sig,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        aborted: signal.aborted,
        spawnError
      });
    });
    child.stdin.end(stdin);
  });
}
