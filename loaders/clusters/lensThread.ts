/**
 * @module Fits a lens in a worker thread (`lensWorker.ts`): the command's build of it when that is current, or the
 * sources through the TypeScript loader.
 */
import {fileURLToPath} from "node:url";
import {Worker} from "node:worker_threads";
import {workerScriptOf} from "../bundle/currentBuild.mjs";
import type {SemanticResult} from "../../src/core/clusters/semantic.js";
import type {LensTask} from "./lensWorker.js";

/** The worker's sources, run through the TypeScript loader: the fallback when the command's build is stale. */
export const SOURCE_LENS_WORKER = new URL("./lensWorkerEntry.mjs", import.meta.url);

/** The lens worker's script: the command's build of it when current, else the sources. */
export function lensWorkerScript(env: NodeJS.ProcessEnv = process.env): Promise<URL> {
  return workerScriptOf(fileURLToPath(new URL("../..", import.meta.url)), env, "lensWorker", SOURCE_LENS_WORKER);
}

/**
 * The lens fitted on another thread; rejects with the worker's error, or if it exits without an answer. Given its
 * `script`, the thread starts before this returns; without, only once the script is found, at the caller's next
 * await.
 */
export async function fitLensInThread(task: LensTask, script?: URL): Promise<SemanticResult> {
  const worker = new Worker(script ?? (await lensWorkerScript()), {workerData: task});
  return new Promise<SemanticResult>((resolve, reject) => {
    let answered = false;
    worker.once("message", (result: SemanticResult) => {
      answered = true;
      resolve(result);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!answered) reject(new Error(`the lens worker exited (code ${code}) without clusters`));
    });
  });
}
