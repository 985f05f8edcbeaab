/** @module Errors that end a command with a message and an exit status, never a stack trace. */

/** Throw this to make the command print `message` and exit with `exitCode` (2 for usage errors). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function usageError(message: string, verb: string): CliError {
  return new CliError(`${message}\nRun \`plumbline ${verb} --help\` for usage.`, 2);
}
