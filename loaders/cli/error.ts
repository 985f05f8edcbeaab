/** @module Errors that end a command with a message and an exit status, never a stack trace. */
import {parseArgs, type ParseArgsConfig} from "node:util";
import {PlumblineError} from "../errors.js";

/** Throw this from a command to make it print `message` and exit with `exitCode` (2 for usage errors). */
export class CliError extends PlumblineError {
  override readonly name = "CliError";
}

export function usageError(message: string, verb: string): CliError {
  return new CliError(`${message}\nRun \`plumbline ${verb} --help\` for usage.`, 2);
}

/** `parseArgs` for a verb: an unknown or malformed option becomes a usage error that points at `--help`. */
export function parseVerbArgs<T extends ParseArgsConfig>(verb: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError((error as Error).message, verb);
  }
}
