import { stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { readdirOrEmpty } from "../core/index.js";
import { assertSafeSegment } from "./paths.js";

/**
 * The life of a run directory, `<world>/<job_id>/<run_id>/`:
 *   staged  `<world>/<job_id>/.admit-<id>/inputs/…` written and hashed, outside any run
 *   claimed renamed whole to `<run_id>/`: a run directory never exists without all its snapshots
 *   running one attempt writes into `.attempts/<execution_id>/` under the per-run lock
 *   settled the attempt's outputs are moved in, then `manifest.json` is written atomically
 * Anything before the manifest can be thrown away and redone; the manifest is the commit point.
 */
export const STAGING_PREFIX = ".admit-";
export const ATTEMPTS_DIR = ".attempts";

/** Top-level folders of the world root that are not jobs (docs/contracts/world.md). */
export const RESERVED_JOB_IDS = ["execution", "outputs"] as const;

/** Files a processor attempt leaves next to `outputs/` (docs/contracts/processor.md), moved with it. */
export const ATTEMPT_FILES = ["outputs.json", "receipt.json"] as const;

export function jobDir(worldRoot: string, jobId: string): string {
  assertSafeSegment(jobId, "job_id");
  return join(worldRoot, jobId);
}

export function runDir(worldRoot: string, jobId: string, runId: string): string {
  assertSafeSegment(runId, "run_id");
  return join(jobDir(worldRoot, jobId), runId);
}

/** `world://<path>` for a path inside the world root. */
export function worldUri(worldRoot: string, path: string): string {
  return `world://${relative(worldRoot, path).split(sep).join("/")}`;
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** World-root folders that hold no governed runs. */
const NOT_JOBS: ReadonlySet<string> = new Set(RESERVED_JOB_IDS);

/** `<job_id>/<run_id>` of every folder holding a manifest.json, sorted. */
export function listRunPaths(worldRoot: string): string[] {
  const found: string[] = [];
  for (const job of readdirOrEmpty(worldRoot)) {
    if (!job.isDirectory() || job.name.startsWith(".") || NOT_JOBS.has(job.name)) continue;
    for (const run of readdirOrEmpty(join(worldRoot, job.name))) {
      if (run.isDirectory() && !run.name.startsWith(".")) found.push(`${job.name}/${run.name}`);
    }
  }
  return found.sort();
}

export const RECEIPTS_DIR = "execution";
export const RECEIPT_FILE = "determinism.json";

export function listReceiptIds(worldRoot: string): string[] {
  return readdirOrEmpty(join(worldRoot, RECEIPTS_DIR))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}
