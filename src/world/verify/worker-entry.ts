import { parentPort } from "node:worker_threads";
import { createManifestLoader } from "./load.js";
import type { VerifyJob, VerifyResult } from "./parallel.js";
import type { RunVerdict } from "./unsettled.js";
import { verifyTarget } from "./verify-world.js";

// Entry of a verification worker thread (bundled to lib/verify-worker.cjs): verifies each batch
// of targets it is sent and answers with their verdicts, in order.
const loadManifest = createManifestLoader();
parentPort?.on("message", async (job: VerifyJob) => {
  const verdicts: RunVerdict[] = [];
  for (const target of job.targets)
    verdicts.push(await verifyTarget(job.worldRoot, target, loadManifest, job.replay));
  parentPort?.postMessage({ verdicts } satisfies VerifyResult);
});
