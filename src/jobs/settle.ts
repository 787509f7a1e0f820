import { join } from "node:path";
import { HASH_SCHEMA, SigilError } from "../core/index.js";
import { assertIndexMatches, readOutputsIndex, scanOutputs } from "../run/index.js";
import {
  type ChainLink,
  computeInputsHash,
  type DoctrineRecord,
  hashSnapshots,
  MANIFEST_SCHEMA_VERSION,
  type Manifest,
  type ManifestRuntime,
  type ProcessorRecord,
  pathExists,
  type SnapshotEntry,
  writeManifest,
} from "../world/index.js";

export interface SettleRequest {
  runDir: string;
  jobId: string;
  jobType: string;
  runId: string;
  /** The snapshot list hashed at admission; the bytes on disk must still match it. */
  snapshots: readonly SnapshotEntry[];
  doctrine: readonly DoctrineRecord[];
  processor: ProcessorRecord;
  chain: readonly ChainLink[];
  runtime: ManifestRuntime;
}

function sameEntries(a: readonly SnapshotEntry[], b: readonly SnapshotEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => x.path === b[i]?.path && x.sha256 === b[i]?.sha256 && x.bytes === b[i]?.bytes)
  );
}

/**
 * Write the manifest of a run whose outputs are in place. Everything it records is read back
 * from disk at this moment (snapshots re-hashed, outputs scanned and checked against the
 * processor's index), so a manifest can only ever describe bytes that are really there.
 */
export async function settleRun(request: SettleRequest): Promise<Manifest> {
  const { runDir } = request;
  const snapshots = await hashSnapshots(runDir);
  if (!sameEntries(snapshots, request.snapshots)) {
    throw new SigilError("ERR_RUN_CORRUPT", `${runDir}: snapshots changed on disk after admission`);
  }
  const outputs = await scanOutputs(runDir);
  if (await pathExists(join(runDir, "outputs.json"))) {
    assertIndexMatches(await readOutputsIndex(runDir), outputs);
  }
  const manifest: Manifest = {
    schema_version: MANIFEST_SCHEMA_VERSION,
    hash_schema: HASH_SCHEMA,
    job_id: request.jobId,
    job_type: request.jobType,
    run_id: request.runId,
    inputs_hash: computeInputsHash(snapshots),
    snapshots,
    doctrine: [...request.doctrine],
    processor: request.processor,
    chain: [...request.chain],
    outputs,
    migration_history: [],
    runtime: request.runtime,
  };
  await writeManifest(runDir, manifest);
  return manifest;
}
