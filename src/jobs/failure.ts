import { type Clock, isoUtc, type Logger, SigilError } from "../core/index.js";
import { writeFailedRecord } from "../world/index.js";

/**
 * A run whose execution failed says so in `failed.json` (still under its lock, no manifest), so
 * `sigil verify` lists it as failed instead of reporting a corrupt run; the next proposal clears
 * it and executes again (docs/governed-jobs.md). Best effort: the original error is what counts.
 */
export async function recordFailure(
  run: { jobId: string; runId: string; runDir: string; inputsHash: string },
  error: unknown,
  deps: { clock: Clock; log: Logger },
): Promise<void> {
  const sigil = SigilError.from(error, "ERR_INTERNAL");
  const executionId = sigil.details.execution_id;
  await writeFailedRecord(run.runDir, {
    schema: "sigil.failed/v1",
    job_id: run.jobId,
    run_id: run.runId,
    inputs_hash: run.inputsHash,
    code: sigil.code,
    message: sigil.message.slice(0, 500),
    ...(typeof executionId === "string" && executionId !== "" ? { execution_id: executionId } : {}),
    failed_at: isoUtc(deps.clock.nowMs()),
  }).catch((failure: unknown) => {
    deps.log.warn(
      { event: "job.failed.record", error: String(failure).slice(0, 200) },
      "could not write failed.json",
    );
  });
}
