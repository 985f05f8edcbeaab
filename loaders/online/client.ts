/** @module The judge client online passes use, from the environment: none, with the reason, when no key is set. */
import {createJudgeClient, type JudgeClient} from "../judge/judgeClient.js";

export interface ClientChoice {
  client: JudgeClient | null;
  /** Why there is no client: what LLM judges' waiting traces report. */
  noClient?: string;
}

export function onlineClient(
  env: NodeJS.ProcessEnv,
  options: {baseURL?: string; apiKeyEnv?: string; timeoutMs?: number; maxAttempts?: number} = {}
): ClientChoice {
  const keyVar = options.apiKeyEnv ?? "OPENAI_API_KEY";
  const apiKey = env[keyVar];
  if (!apiKey) return {client: null, noClient: `$${keyVar} is not set, so LLM judges cannot be called`};
  const baseURL = options.baseURL ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1";
  return {
    client: createJudgeClient({
      baseURL,
      apiKey,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 5
    })
  };
}
