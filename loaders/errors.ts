/**
 * @module The base of the errors a command ends with: a message for the person at the terminal and the exit status
 * to end with. Library code throws its own subclass, so it needs nothing of the command line; `loaders/cli/main.ts`
 * alone turns any of them into the message and the status.
 */

/** An error the user can act on: `message` says what happened and what to do, `exitCode` is 2 for usage errors. */
export class PlumblineError extends Error {
  override readonly name: string = "PlumblineError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
