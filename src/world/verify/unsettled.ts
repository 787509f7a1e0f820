import { join } from "node:path";
import { readFailedRecord } from "../failed-run.js";
import { liveLockHolder } from "../run-lock-state.js";
import { BriefSnapshot } from "../snapshot-contracts.js";
import { computeInputsHash, SNAPSHOT_PATHS } from "../snapshots.js";
import { type Finding, finding } from "./findings.js";
import { digestIfPresent } from "./hash-files.js";
import type { ManifestLoader } from "./load.js";
import { checkCanonical, checkRunId, listInputs, snapshotJson } from "./snapshot-validator.js";
import type { Walked } from "./walk.js";

/** A run that executed and failed: listed in the report, not a finding (docs/governed-jobs.md). */
export interface FailedRun {
  run: string;
  code: string;
  message: string;
  execution_id?: string;
}

export interface RunVerdict {
  findings: Finding[];
  /** Set for a run folder without a manifest that is not corrupt: executing now, or failed. */
  state?: "pending" | "failed";
  failed?: FailedRun;
}

/**
 * A run folder with no manifest. Its lock held by a live process: pending, nothing to check yet.
 * Otherwise its identity is recomputed from the snapshot bytes (as admission derived it), so
 * tampering is found even without a manifest; then `failed.json` tells a failed run (reported as
 * failed) from an interrupted one (ERR_VERIFY_INCOMPLETE: propose the brief again to finish it).
 */
export async function verifyUnsettled(ctx: {
  runPath: string;
  runDir: string;
  walked: Walked;
  loadManifest: ManifestLoader;
}): Promise<RunVerdict> {
  const { runPath, runDir, walked } = ctx;
  if (liveLockHolder(runDir)) return { findings: [], state: "pending" };
  const inputs = listInputs(walked);
  if (inputs.length === 0)
    return { findings: [finding("ERR_VERIFY_MANIFEST", runPath, "no manifest.json and no snapshots")] };
  const contents = new Map<string, Buffer>();
  const entries: { path: string; sha256: string }[] = [];
  for (const path of inputs) {
    const disk = digestIfPresent(join(runDir, path), { keep: true });
    if (!disk?.content) continue; // a folder or link under inputs/: reported by the walk or below
    contents.set(path, disk.content);
    entries.push({ path, sha256: disk.sha256 });
  }
  const found = checkCanonical(contents, runPath);
  for (const path of walked.dirs.filter((d) => inputs.includes(d)))
    found.push(finding("ERR_VERIFY_SNAPSHOT_UNDECLARED", runPath, `${path} is not a file`, { path }));
  const inputsHash = computeInputsHash(entries);
  const [jobFolder = "", runId = ""] = runPath.split("/");
  found.push(...(await checkRunId(ctx, runId, inputsHash)));
  const brief = BriefSnapshot.safeParse(snapshotJson(contents, SNAPSHOT_PATHS.brief));
  if (brief.success && brief.data.job_id !== jobFolder) {
    found.push(
      finding("ERR_VERIFY_JOB_ID", runPath, "the run's folder differs from the brief's job_id", {
        expected: brief.data.job_id,
        observed: jobFolder,
      }),
    );
  }

  const record = readFailedRecord(runDir);
  if (record === undefined || record === "invalid") {
    const why =
      record === undefined
        ? "no manifest.json and no failed.json (propose its brief again to complete it, or `sigil gc`)"
        : "failed.json does not parse";
    found.push(finding("ERR_VERIFY_INCOMPLETE", runPath, why, { path: "failed.json" }));
    return { findings: found };
  }
  const stated = `${record.job_id}/${record.run_id}@${record.inputs_hash}`;
  const actual = `${jobFolder}/${runId}@${inputsHash}`;
  if (stated !== actual) {
    found.push(
      finding("ERR_VERIFY_RECORD", runPath, "failed.json names another run or other inputs", {
        path: "failed.json",
        expected: actual,
        observed: stated,
      }),
    );
  }
  const failed: FailedRun = {
    run: runPath,
    code: record.code,
    message: record.message,
    ...(record.execution_id ? { execution_id: record.execution_id } : {}),
  };
  return { findings: found, state: "failed", failed };
}
