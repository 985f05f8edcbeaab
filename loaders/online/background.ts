/**
 * @module The online loop beside `plumbline start`: started only when a spec in evaluators/ asks to run online,
 * in this process, so its brief store opens queue behind the annotation server's (see `store/db.ts`).
 */
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {onlineClient} from "./client.js";
import {anyOnline, runOnlineLoop} from "./loop.js";

export interface BackgroundLoop {
  stop(): Promise<void>;
}

export const DEFAULT_INTERVAL_SECONDS = 30;

export function startOnlineInBackground(options: {
  workspace: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  evaluatorsDir?: string;
  /** Overrides every online spec's `quietSeconds` (`--quiet-period`). */
  quietMs?: number;
}): BackgroundLoop | null {
  const dir = options.evaluatorsDir ?? EVALUATORS_DIR;
  if (!anyOnline(dir)) return null;
  const controller = new AbortController();
  const {client, noClient} = onlineClient(options.env);
  options.log(`online evaluators: every ${DEFAULT_INTERVAL_SECONDS} s (specs in ${dir} with an "online" block)`);
  const running = runOnlineLoop({
    workspace: options.workspace,
    evaluatorsDir: dir,
    client,
    ...(noClient ? {noClient} : {}),
    intervalMs: DEFAULT_INTERVAL_SECONDS * 1000,
    ...(options.quietMs !== undefined ? {quietMs: options.quietMs} : {}),
    signal: controller.signal,
    log: options.log
  });
  return {
    async stop() {
      controller.abort();
      await running;
    }
  };
}
