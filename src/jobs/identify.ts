import { resolve } from "node:path";
import { deriveRunIdBase, type SnapshotEntry } from "../world/index.js";
import { identifySnapshots } from "./admit.js";
import { loadBrief } from "./brief.js";
import { type ResolveContext, resolveJob } from "./resolve.js";

export interface JobIdentity {
  job_id: string;
  job_type: string;
  inputs_hash: string;
  /** The run_id this brief gets unless a true prefix collision adds a suffix. */
  run_id_base: string;
  snapshots: SnapshotEntry[];
}

/**
 * The identity a brief would be admitted with, computed the same way as an admission (snapshots
 * written, hashed from disk) but in a scratch folder: the World is not touched.
 */
export async function identifyBrief(briefPath: string, ctx: ResolveContext): Promise<JobIdentity> {
  const loaded = await loadBrief(resolve(briefPath));
  const resolved = await resolveJob(loaded, ctx);
  const { inputsHash, snapshots } = await identifySnapshots(resolved.files);
  return {
    job_id: loaded.brief.job_id,
    job_type: resolved.jobType.id,
    inputs_hash: inputsHash,
    run_id_base: (ctx.runIdBase ?? deriveRunIdBase)(inputsHash),
    snapshots,
  };
}
