import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asWorldWriteError, makeDirs, SigilError } from "../core/index.js";
import {
  deriveRunIdBase,
  jobDir,
  locateRun,
  type Manifest,
  type RunIdBase,
  type SnapshotEntry,
  STAGING_PREFIX,
  stageSnapshots,
} from "../world/index.js";
import { claimRun } from "./run-lifecycle.js";

export interface AdmitRequest {
  worldRoot: string;
  jobId: string;
  /** Snapshot path (`inputs/…`) → value, written as canonical JSON. */
  files: ReadonlyMap<string, unknown>;
  /** Unique per proposal (the queue job id): names the staging folder. */
  proposalId: string;
  runIdBase?: RunIdBase;
  /** Called after each step; crash tests stop the process here. */
  onPhase?: (phase: "staged" | "claimed") => void | Promise<void>;
}

interface Identity {
  runId: string;
  runDir: string;
  inputsHash: string;
  snapshots: SnapshotEntry[];
}

export type Admission =
  | (Identity & { kind: "settled"; manifest: Manifest })
  | (Identity & { kind: "admitted"; claimed: boolean });

/** A claim can lose a race to another process; after this many the World is not behaving. */
const MAX_CLAIM_ATTEMPTS = 50;

/**
 * Admit (docs/contracts/world.md): write the snapshots as canonical JSON, hash the bytes on disk, derive
 * inputs_hash and run_id (suffixes on a true prefix collision), then the replay check. Returns
 * the settled run to replay, or the admitted run directory (claimed by us, or found unsettled).
 */
export async function admitRun(request: AdmitRequest): Promise<Admission> {
  const dir = jobDir(request.worldRoot, request.jobId);
  const base = request.runIdBase ?? deriveRunIdBase;
  // A settled run answers its replay without a single write to the World (which may be
  // read-only): identify in a scratch folder, then look.
  const probe = await identifySnapshots(request.files);
  const known = await locateRun(dir, probe.inputsHash, base);
  if (known.state === "settled") {
    const runDir = join(dir, known.runId);
    return { ...probe, runId: known.runId, runDir, kind: "settled", manifest: known.manifest };
  }
  try {
    return await stageAndClaim(request, dir, base);
  } catch (error) {
    throw asWorldWriteError(error, dir);
  }
}

async function stageAndClaim(request: AdmitRequest, dir: string, base: RunIdBase): Promise<Admission> {
  await makeDirs(dir);
  const staging = join(dir, `${STAGING_PREFIX}${request.proposalId}`);
  try {
    const { snapshots, inputsHash } = await stageSnapshots(staging, request.files);
    await request.onPhase?.("staged");
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const slot = await locateRun(dir, inputsHash, base);
      const identity = { runId: slot.runId, runDir: join(dir, slot.runId), inputsHash, snapshots };
      if (slot.state === "settled") return { ...identity, kind: "settled", manifest: slot.manifest };
      if (slot.state === "admitted") return { ...identity, kind: "admitted", claimed: false };
      if (await claimRun(staging, identity.runDir)) {
        await request.onPhase?.("claimed");
        return { ...identity, kind: "admitted", claimed: true };
      }
      // Someone claimed that slot between our look and our rename: look again.
    }
    throw new SigilError(
      "ERR_RUN_CORRUPT",
      `could not claim a run directory under ${dir} in ${MAX_CLAIM_ATTEMPTS} attempts`,
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The identity a snapshot set would have, without touching the World: staged in a scratch
 * folder, hashed from disk like any admission, then removed.
 */
export async function identifySnapshots(
  files: ReadonlyMap<string, unknown>,
): Promise<{ inputsHash: string; snapshots: SnapshotEntry[] }> {
  const scratch = await mkdtemp(join(tmpdir(), "sigil-identity-"));
  try {
    return await stageSnapshots(scratch, files);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
