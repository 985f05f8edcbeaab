/**
 * @module The base of the errors a command ends with: a message for the person at the terminal and the exit status
 * to end with. It lives in the core, which needs nothing of Node for it, so that the core's own errors (a rule that
 * cannot compile, a rule induction with nothing to learn from) carry a status as the Node side's do; library code
 * throws its own subclass, and `loaders/cli/main.ts` alone turns any of them into the message and the status.
 */

/** An error the user can act on: `message` says what happened and what to do, `exitCode` is 2 for usage errors. */
export class PlumblineError extends Error {
  override readonly name: string = "PlumblineError";
  constructor(
    message: string,
    readonly exitCode = 1
  ) {
    super(message);
  }
}
