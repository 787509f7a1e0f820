import { parentPort } from "node:worker_threads";
import { createManifestLoader } from "./load.js";
import type { VerifyJob, VerifyResult } from "./parallel.js";
import { verifyRun } from "./verify-world.js";

// Entry of a verification worker thread (bundled to lib/verify-worker.cjs): verifies each batch
// of runs it is sent and answers with their findings, in order.
const loadManifest = createManifestLoader();
parentPort?.on("message", async (job: VerifyJob) => {
  const findings = [];
  for (const runPath of job.runPaths)
    findings.push(await verifyRun(job.worldRoot, runPath, loadManifest, job.replay));
  parentPort?.postMessage({ findings } satisfies VerifyResult);
});
