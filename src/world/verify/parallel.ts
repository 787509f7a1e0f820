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

/**
 * Runs a worker is sent at once: large enough to amortise the message, small enough that the
 * last batches end together (a thread left alone with a long last batch idles the other core).
 */
const BATCH = 64;

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
  const wanted = Math.max(1, options.workers ?? availableParallelism());
  // Threads start (~100 ms each, loading their bundle) while this one scans the world: the first
  // at once, each other one as soon as the scan has found a batch of runs for it.
  const workers = [new Worker(workerScript)];
  const startFor = (runs: number) => {
    while (workers.length < Math.min(wanted, Math.ceil(runs / BATCH))) workers.push(new Worker(workerScript));
  };
  try {
    const plan = planWorld(worldRoot, startFor);
    const { targets } = plan;
    const batches: { start: number; targets: VerifyTarget[] }[] = [];
    for (let i = 0; i < targets.length; i += BATCH)
      batches.push({ start: i, targets: targets.slice(i, i + BATCH) });
    startFor(targets.length);
    const results: RunVerdict[] = new Array(targets.length);
    let next = 0;
    let done = 0;
    const drive = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        const send = () => {
          const batch = batches[next++];
          if (!batch) {
            resolve();
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
    await Promise.all(workers.map(drive));
    return assembleReport(worldRoot, plan, results);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
