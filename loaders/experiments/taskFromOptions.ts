/**
 * @module The task an experiment runs, from what the command line names: a command, an endpoint's URL or a prompt
 * spec file, with the git commit checked out where it runs.
 */
import {execFileSync} from "node:child_process";
import {readFileSync} from "node:fs";
import {PromptSpecSchema} from "../../src/core/schemas/experimentTask.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {PlumblineError} from "../errors.js";
import {sha256Hex} from "../formats/hash.js";
import type {Price} from "../judge/runner.js";
import {commandTask} from "./commandTask.js";
import {httpTask} from "./httpTask.js";
import {promptTask} from "./promptTask.js";
import type {Task} from "./task.js";

export class TaskError extends PlumblineError {
  override readonly name = "TaskError";
}

/** The commit checked out in `cwd`, or null outside a git repository (or without git). */
export function gitCommitIn(cwd: string): string | null {
  try {
    return (
      execFileSync("git", ["rev-parse", "HEAD"], {cwd, stdio: ["ignore", "pipe", "ignore"], encoding: "utf8"}).trim() ||
      null
    );
  } catch {
    return null;
  }
}

export type TaskChoice =
  | {kind: "command"; command: string}
  | {kind: "http"; url: string}
  | {kind: "prompt"; path: string; model?: string; baseURL: string; apiKey: string | undefined; keyVar: string};

export function taskFrom(
  choice: TaskChoice,
  options: {env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number; price: Price | null}
): Task {
  const gitCommit = gitCommitIn(options.cwd);
  if (choice.kind === "command")
    return commandTask({command: choice.command, env: options.env, cwd: options.cwd, gitCommit});
  if (choice.kind === "http") {
    try {
      new URL(choice.url);
    } catch {
      throw new TaskError(
        `--task-url ${JSON.stringify(choice.url)} is not a URL; give one like http://localhost:8080/run`,
        2
      );
    }
    return httpTask({url: choice.url, gitCommit});
  }
  let text: string;
  try {
    text = readFileSync(choice.path, "utf8");
  } catch (error) {
    throw new TaskError(`cannot read the prompt spec ${choice.path}: ${(error as Error).message}`, 2);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TaskError(`the prompt spec ${choice.path} is not JSON: ${(error as Error).message}`, 2);
  }
  const parsed = PromptSpecSchema.safeParse(json);
  if (!parsed.success) throw new TaskError(`the prompt spec ${choice.path}: ${issueText(parsed.error, "spec")}`, 2);
  if (!choice.apiKey)
    throw new TaskError(
      `a prompt spec calls a model and $${choice.keyVar} is not set; export it (or name another variable with --api-key-env)`
    );
  return promptTask({
    spec: parsed.data,
    specHash: sha256Hex(JSON.stringify(parsed.data)).slice(0, 16),
    path: choice.path,
    baseURL: choice.baseURL,
    apiKey: choice.apiKey,
    ...(choice.model ? {model: choice.model} : {}),
    price: options.price,
    timeoutMs: options.timeoutMs,
    gitCommit
  });
}
