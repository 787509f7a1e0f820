import { join } from "node:path";
import { locateRun } from "../identity.js";
import { computeInputsHash, hashSnapshots } from "../snapshots.js";
import { type Finding, finding } from "./findings.js";

/**
 * replay_run_idempotent (docs/contracts/verifier.md): re-propose a run from the snapshot bytes it holds and check
 * that the proposal lands on this very run, settled, so it replays and executes nothing.
 * Admission derives identity from snapshot bytes on disk, so this is the walk a re-proposal of
 * the run's brief takes, without re-resolving the brief.
 */
export async function replayRunIdempotent(worldRoot: string, runPath: string): Promise<Finding[]> {
  const [jobId = "", runId = ""] = runPath.split("/");
  try {
    const inputsHash = computeInputsHash(await hashSnapshots(join(worldRoot, runPath)));
    const slot = await locateRun(join(worldRoot, jobId), inputsHash);
    if (slot.state === "settled" && slot.runId === runId) return [];
    return [
      finding(
        "ERR_VERIFY_REPLAY",
        runPath,
        `a re-proposal would land on ${jobId}/${slot.runId} (${slot.state})`,
        {
          expected: runPath,
          observed: `${jobId}/${slot.runId}`,
        },
      ),
    ];
  } catch (error) {
    return [finding("ERR_VERIFY_REPLAY", runPath, `cannot re-propose: ${(error as Error).message}`)];
  }
}
