import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonCanonicalFirst, parseJsonStrict, Receipt, sha256Hex } from "../core/index.js";
import {
  assertManifestConsistent,
  MANIFEST_FILE,
  type Manifest,
  parseManifestValue,
  RECEIPT_FILE,
  RECEIPTS_DIR,
} from "../world/index.js";

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
    const { manifest } = parseManifestValue(parseJsonCanonicalFirst(bytes).value, runPath);
    assertManifestConsistent(manifest, runPath);
    return rowsFromManifest(runPath, manifest, sha256Hex(bytes));
  } catch {
    return undefined;
  }
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
