/** @module What a verb is to the dispatcher, and the terminal it prints to. Every command module imports these. */

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  /** The full `--help` text. */
  help: string;
  run(args: string[], io: Io): Promise<number>;
}
