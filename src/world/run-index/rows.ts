import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonStrict, Receipt, sha256Hex } from "../../core/index.js";
import { assertManifestConsistent, MANIFEST_FILE, type Manifest, parseManifestValue } from "../manifest.js";

/** One row per table the index holds; every value comes from artifacts on disk. */
export interface RunRow {
  run_path: string;
  job_id: string;
  run_id: string;
  job_type: string;
  inputs_hash: string;
  schema_version: number;
  manifest_sha256: string;
  processor_ref: string | null;
  image_digest: string | null;
  chain: string[];
  started_at: string | null;
  finished_at: string | null;
  queue_job_id: string | null;
}
export interface FileRow {
  run_path: string;
  path: string;
  sha256: string;
  bytes: number;
}
export interface ReceiptRow {
  execution_id: string;
  receipt_sha256: string;
  processor_ref: string;
  image_digest: string;
  env_fingerprint: string;
  inputs_hash: string;
  mode: string;
  outputs_count: number;
  timestamp_utc: string;
  duration_ms: number;
}

export interface RunRows {
  run: RunRow;
  snapshots: FileRow[];
  outputs: FileRow[];
}

/** World-root folders that hold no governed runs. */
const NOT_JOBS = new Set(["execution", "outputs"]);

/** `<job_id>/<run_id>` of every folder holding a manifest.json, sorted. */
export function listRunPaths(worldRoot: string): string[] {
  const found: string[] = [];
  for (const job of readdirSafe(worldRoot)) {
    if (!job.isDirectory() || job.name.startsWith(".") || NOT_JOBS.has(job.name)) continue;
    for (const run of readdirSafe(join(worldRoot, job.name))) {
      if (run.isDirectory() && !run.name.startsWith(".")) found.push(`${job.name}/${run.name}`);
    }
  }
  return found.sort();
}

/**
 * Synchronous on purpose, like every per-file read here: a world is many small files, and the
 * promise API's per-call overhead cost several times the work itself (see bench/verify-10k).
 */
function readdirSafe(dir: string): import("node:fs").Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export function rowsFromManifest(runPath: string, manifest: Manifest, manifestSha256: string): RunRows {
  const files = (list: Manifest["outputs"]): FileRow[] => list.map((e) => ({ run_path: runPath, ...e }));
  return {
    run: {
      run_path: runPath,
      job_id: manifest.job_id,
      run_id: manifest.run_id,
      job_type: manifest.job_type,
      inputs_hash: manifest.inputs_hash,
      schema_version: manifest.schema_version,
      manifest_sha256: manifestSha256,
      processor_ref: manifest.processor.ref,
      image_digest: manifest.processor.image_digest,
      chain: manifest.chain.map((link) => `${link.job_id}/${link.run_id}`),
      started_at: manifest.runtime.started_at,
      finished_at: manifest.runtime.finished_at,
      queue_job_id: manifest.runtime.queue_job_id,
    },
    snapshots: files(manifest.snapshots),
    outputs: files(manifest.outputs),
  };
}

/** Rows of one run, or undefined when its folder has no valid manifest (the verifier reports those). */
export function readRunRows(worldRoot: string, runPath: string): RunRows | undefined {
  try {
    // Read the bytes once: they give both the manifest and the digest the index keys on.
    const bytes = readFileSync(join(worldRoot, runPath, MANIFEST_FILE));
    const { manifest } = parseManifestValue(parseJsonStrict(bytes.toString("utf8")), runPath);
    assertManifestConsistent(manifest, runPath);
    return rowsFromManifest(runPath, manifest, sha256Hex(bytes));
  } catch {
    return undefined;
  }
}

export const RECEIPTS_DIR = "execution";
export const RECEIPT_FILE = "determinism.json";

export function listReceiptIds(worldRoot: string): string[] {
  return readdirSafe(join(worldRoot, RECEIPTS_DIR))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function readReceiptRow(worldRoot: string, executionId: string): ReceiptRow | undefined {
  try {
    const bytes = readFileSync(join(worldRoot, RECEIPTS_DIR, executionId, RECEIPT_FILE));
    const receipt = Receipt.parse(parseJsonStrict(bytes.toString("utf8")));
    if (receipt.execution_id !== executionId) return undefined;
    return {
      execution_id: receipt.execution_id,
      receipt_sha256: sha256Hex(bytes),
      processor_ref: receipt.processor_ref,
      image_digest: receipt.image_digest,
      env_fingerprint: receipt.env_fingerprint,
      inputs_hash: receipt.inputs_hash,
      mode: receipt.mode,
      outputs_count: receipt.outputs_index.length,
      timestamp_utc: receipt.timestamp_utc,
      duration_ms: receipt.duration_ms,
    };
  } catch {
    return undefined;
  }
}

export { MANIFEST_FILE };
