import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { RunVerdict } from "./unsettled.js";
import {
  assembleReport,
  planWorld,
  type VerifyOptions,
  type VerifyReport,
  type VerifyTarget,
} from "./verify-world.js";

/** A batch of run paths a worker verifies; small enough to balance, large enough to amortise. */
const BATCH = 256;

export interface VerifyJob {
  worldRoot: string;
  targets: VerifyTarget[];
  replay: boolean;
}
export interface VerifyResult {
  verdicts: RunVerdict[];
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
  const plan = planWorld(worldRoot);
  const { targets } = plan;
  const batches: { start: number; targets: VerifyTarget[] }[] = [];
  for (let i = 0; i < targets.length; i += BATCH)
    batches.push({ start: i, targets: targets.slice(i, i + BATCH) });
  const results: RunVerdict[] = new Array(targets.length);
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
          result.verdicts.forEach((v, j) => {
            results[batch.start + j] = v;
          });
          done += batch.targets.length;
          options.onProgress?.(done, targets.length);
          send();
        });
        worker.postMessage({
          worldRoot,
          targets: batch.targets,
          replay: options.replay === true,
        } satisfies VerifyJob);
      };
      worker.once("error", reject);
      send();
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  return assembleReport(worldRoot, plan, results);
}
