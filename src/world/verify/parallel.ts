import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { listRunPaths } from "../layout.js";
import type { Finding } from "./findings.js";
import type { VerifyOptions, VerifyReport } from "./verify-world.js";

/** A batch of run paths a worker verifies; small enough to balance, large enough to amortise. */
const BATCH = 256;

export interface VerifyJob {
  worldRoot: string;
  runPaths: string[];
  replay: boolean;
}
export interface VerifyResult {
  findings: Finding[][];
}

/**
 * Verification is syscall- and hash-bound on one thread; worker threads spread runs over the
 * cores. Batches go to whichever worker is idle; findings come back in run order.
 */
export async function verifyWorldParallel(
  worldRoot: string,
  workerScript: string,
  options: VerifyOptions & { workers?: number } = {},
): Promise<VerifyReport> {
  const runPaths = listRunPaths(worldRoot);
  const batches: { start: number; paths: string[] }[] = [];
  for (let i = 0; i < runPaths.length; i += BATCH)
    batches.push({ start: i, paths: runPaths.slice(i, i + BATCH) });
  const results: Finding[][] = new Array(runPaths.length);
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), batches.length));
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerScript);
      const send = () => {
        const batch = batches[next++];
        if (!batch) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.once("message", (result: VerifyResult) => {
          result.findings.forEach((f, j) => {
            results[batch.start + j] = f;
          });
          done += batch.paths.length;
          options.onProgress?.(done, runPaths.length);
          send();
        });
        worker.postMessage({
          worldRoot,
          runPaths: batch.paths,
          replay: options.replay === true,
        } satisfies VerifyJob);
      };
      worker.once("error", reject);
      send();
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  return { world: worldRoot, runs: runPaths.length, findings: results.flat() };
}
