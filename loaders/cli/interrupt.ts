/**
 * @module Ctrl-C during a long command. The first one asks the command to stop cleanly; the handler then stays
 * installed until the command has finished, so a second Ctrl-C is acknowledged instead of killing the process
 * half-way through recording what it did (Node's default for a signal nobody listens to is to exit at once).
 */

export interface InterruptOptions {
  /** Called on the first signal: stop the work. */
  stop(): void;
  /** Called on every later signal while the command winds down. */
  again?(): void;
  signals?: readonly NodeJS.Signals[];
}

/** Listens for the signals (SIGINT by default) until the returned function is called. */
export function onInterrupt(options: InterruptOptions): () => void {
  const signals = options.signals ?? ["SIGINT"];
  let received = 0;
  const handler = () => {
    if (received++ === 0) options.stop();
    else options.again?.();
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
