import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { SigilError } from "../core/index.js";
import { type Manifest, readManifest } from "./manifest.js";
import { deriveRunIdBase, type RunIdBase, runIdCandidate } from "./run-id.js";
import { computeInputsHash, hashSnapshots } from "./snapshots.js";

/** What a run directory holds: its identity, and its manifest once settled. */
export interface HeldRun {
  inputsHash: string;
  manifest?: Manifest;
}

/**
 * The identity a run directory already holds, or undefined when it does not exist. A settled
 * run answers from its manifest; an admitted one (snapshots, no manifest yet: executing, failed or
 * crashed) from its snapshot bytes on disk, which were complete before the directory appeared.
 */
export async function heldRun(runDir: string): Promise<HeldRun | undefined> {
  try {
    await stat(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const manifest = await readManifest(runDir);
  if (manifest) {
    if (manifest.run_id !== basename(runDir)) {
      throw new SigilError("ERR_RUN_CORRUPT", `${runDir} holds a manifest for run ${manifest.run_id}`);
    }
    return { inputsHash: manifest.inputs_hash, manifest };
  }
  try {
    return { inputsHash: computeInputsHash(await hashSnapshots(runDir)) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SigilError("ERR_RUN_CORRUPT", `${runDir} holds neither a manifest nor snapshots`);
    }
    throw error;
  }
}

export type RunSlot =
  | { state: "free"; runId: string }
  | { state: "admitted"; runId: string }
  | { state: "settled"; runId: string; manifest: Manifest };

/** More colliding runs than this under one job means something other than chance is going on. */
const MAX_SUFFIX = 1000;

/**
 * Walk `base`, `base-2`, … under `jobDir` and stop at the first directory that is free or holds
 * this very inputs_hash. Read-only: claiming a free slot is the caller's atomic rename.
 */
export async function locateRun(
  jobDir: string,
  inputsHash: string,
  base: RunIdBase = deriveRunIdBase,
): Promise<RunSlot> {
  const root = base(inputsHash);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const runId = runIdCandidate(root, n);
    const held = await heldRun(join(jobDir, runId));
    if (!held) return { state: "free", runId };
    if (held.inputsHash !== inputsHash) continue;
    return held.manifest
      ? { state: "settled", runId, manifest: held.manifest }
      : { state: "admitted", runId };
  }
  throw new SigilError("ERR_RUN_CORRUPT", `${jobDir}: more than ${MAX_SUFFIX} runs share the prefix ${root}`);
}
