import { join } from "node:path";
import { canonicalize, SigilError } from "../core/index.js";
import { scanOutputs } from "../run/index.js";
import {
  jobDir,
  locateRun,
  type Manifest,
  manifestIdentityDigest,
  type PriorArtifactSnapshot,
  pathExists,
  type RunIdBase,
  readManifest,
  resolveInside,
  runDir,
} from "../world/index.js";
import { identifySnapshots } from "./admit.js";
import { type LoadedBrief, loadBrief, type UpstreamRef } from "./brief.js";

/** A chain longer than this is a cycle or a mistake. */
export const MAX_CHAIN_DEPTH = 8;

export interface UpstreamContext {
  worldRoot: string;
  depth: number;
  runIdBase?: RunIdBase;
  /** Resolves an upstream brief to its snapshot files (the same resolution as any admission). */
  snapshotsOf(upstream: LoadedBrief, depth: number): Promise<ReadonlyMap<string, unknown>>;
}

async function settledByBrief(
  loaded: LoadedBrief,
  relPath: string,
  ctx: UpstreamContext,
): Promise<{ dir: string; manifest: Manifest }> {
  if (ctx.depth >= MAX_CHAIN_DEPTH) {
    throw new SigilError("ERR_UPSTREAM", `chain deeper than ${MAX_CHAIN_DEPTH} at ${loaded.path} (a cycle?)`);
  }
  const path = await resolveInside(loaded.dir, relPath, "upstream.brief");
  if (!path) throw new SigilError("ERR_UPSTREAM", `no upstream brief ${relPath} next to ${loaded.path}`);
  const upstream = await loadBrief(path);
  const { inputsHash } = await identifySnapshots(await ctx.snapshotsOf(upstream, ctx.depth + 1));
  const dir = jobDir(ctx.worldRoot, upstream.brief.job_id);
  const slot = (await pathExists(dir)) ? await locateRun(dir, inputsHash, ctx.runIdBase) : undefined;
  if (slot?.state !== "settled") {
    throw new SigilError(
      "ERR_UPSTREAM",
      `${upstream.brief.job_id} has no settled run for ${relPath} (inputs_hash ${inputsHash.slice(0, 16)}…); run it first: sigil job run ${path}`,
    );
  }
  return { dir: join(dir, slot.runId), manifest: slot.manifest };
}

async function settledById(ref: { job_id: string; run_id: string }, ctx: UpstreamContext) {
  const dir = runDir(ctx.worldRoot, ref.job_id, ref.run_id);
  const manifest = await readManifest(dir);
  if (!manifest) {
    throw new SigilError("ERR_UPSTREAM", `no settled run at world://${ref.job_id}/${ref.run_id}`);
  }
  if (manifest.job_id !== ref.job_id || manifest.run_id !== ref.run_id) {
    throw new SigilError(
      "ERR_UPSTREAM",
      `world://${ref.job_id}/${ref.run_id} holds the manifest of another run`,
    );
  }
  return { dir, manifest };
}

/**
 * The prior-artifact snapshot of a chained stage (docs/contracts/jobs.md). The upstream must be settled, of an
 * accepted job type, and its outputs on disk must still be the bytes its manifest records; the
 * outputs are hashed from disk, so a changed upstream byte changes the downstream run_id.
 */
export async function resolvePriorArtifact(
  loaded: LoadedBrief,
  ref: UpstreamRef,
  acceptedTypes: readonly string[],
  ctx: UpstreamContext,
): Promise<PriorArtifactSnapshot> {
  const { dir, manifest } =
    "brief" in ref ? await settledByBrief(loaded, ref.brief, ctx) : await settledById(ref, ctx);
  const where = `world://${manifest.job_id}/${manifest.run_id}`;
  if (!acceptedTypes.includes(manifest.job_type)) {
    throw new SigilError(
      "ERR_UPSTREAM",
      `${where} is a ${manifest.job_type} run; this stage consumes ${acceptedTypes.join(" or ")}`,
    );
  }
  const outputs = await scanOutputs(dir);
  if (canonicalize(outputs) !== canonicalize(manifest.outputs)) {
    throw new SigilError("ERR_UPSTREAM", `${where}: outputs on disk differ from its manifest`);
  }
  return {
    job_id: manifest.job_id,
    job_type: manifest.job_type,
    run_id: manifest.run_id,
    inputs_hash: manifest.inputs_hash,
    manifest_sha256: manifestIdentityDigest(manifest),
    outputs,
    chain: manifest.chain,
  };
}
