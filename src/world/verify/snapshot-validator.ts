import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseJsonStrict } from "../../core/index.js";
import { type Manifest, manifestIdentityDigest } from "../manifest.js";
import { deriveRunIdBase, isDerivedRunId, runIdCandidate } from "../run-id.js";
import { BriefSnapshot, PriorArtifactSnapshot } from "../snapshot-contracts.js";
import { computeInputsHash, INPUTS_DIR, SNAPSHOT_PATHS } from "../snapshots.js";
import { type Finding, finding } from "./findings.js";
import type { LoadedManifest, ManifestLoader } from "./load.js";
import { checkRecordedFiles } from "./recorded-files.js";

export interface RunContext {
  worldRoot: string;
  /** `<job_id>/<run_id>` as found on disk. */
  runPath: string;
  runDir: string;
  manifest: Manifest;
  loadManifest: ManifestLoader;
}

function listInputs(runDir: string): string[] {
  try {
    return readdirSync(join(runDir, INPUTS_DIR)).map((name) => `${INPUTS_DIR}/${name}`);
  } catch {
    return [];
  }
}

function readJson(path: string): unknown | undefined {
  try {
    return parseJsonStrict(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * SnapshotValidator (docs/contracts/verifier.md): snapshots present and matching their bytes, inputs_hash
 * recomputing from the manifest alone, run_id derived (suffix included), the run stored under
 * its own identity, job_id matching the brief, and a chained run's prior artifact matching its
 * upstream manifest.
 */
export async function validateSnapshots(ctx: RunContext): Promise<Finding[]> {
  const { manifest, runPath, runDir } = ctx;
  const found: Finding[] = [];
  const [jobFolder, runFolder] = [basename(dirname(runDir)), basename(runDir)];
  if (manifest.job_id !== jobFolder || manifest.run_id !== runFolder) {
    found.push(
      finding("ERR_VERIFY_LOCATION", runPath, `manifest names ${manifest.job_id}/${manifest.run_id}`, {
        expected: runPath,
        observed: `${manifest.job_id}/${manifest.run_id}`,
      }),
    );
  }

  const declared = new Set(manifest.snapshots.map((s) => s.path));
  found.push(
    ...checkRecordedFiles(runDir, runPath, manifest.snapshots, {
      missing: "ERR_VERIFY_SNAPSHOT_MISSING",
      mismatch: "ERR_VERIFY_SNAPSHOT_HASH",
    }),
  );
  for (const path of listInputs(runDir)) {
    if (!declared.has(path)) found.push(finding("ERR_VERIFY_SNAPSHOT_UNDECLARED", runPath, path, { path }));
  }

  const recomputed = computeInputsHash(manifest.snapshots);
  if (recomputed !== manifest.inputs_hash) {
    found.push(
      finding("ERR_VERIFY_INPUTS_HASH", runPath, "the snapshot list hashes to another value", {
        expected: recomputed,
        observed: manifest.inputs_hash,
      }),
    );
  }
  found.push(...(await checkRunId(ctx)));

  if (declared.has(SNAPSHOT_PATHS.brief)) {
    const brief = BriefSnapshot.safeParse(readJson(join(runDir, SNAPSHOT_PATHS.brief)));
    if (brief.success && brief.data.job_id !== manifest.job_id) {
      found.push(
        finding("ERR_VERIFY_JOB_ID", runPath, "manifest job_id differs from the brief", {
          expected: brief.data.job_id,
          observed: manifest.job_id,
        }),
      );
    }
  }
  found.push(...(await checkChain(ctx, declared.has(SNAPSHOT_PATHS.priorArtifact))));
  return found;
}

/** run_id is the 16-hex prefix of inputs_hash, or a suffix justified by the runs before it. */
async function checkRunId(ctx: RunContext): Promise<Finding[]> {
  const { manifest, runPath, runDir } = ctx;
  const base = deriveRunIdBase(manifest.inputs_hash);
  if (!isDerivedRunId(manifest.run_id, manifest.inputs_hash)) {
    return [
      finding("ERR_VERIFY_RUN_ID", runPath, "run_id is not derived from inputs_hash", {
        expected: base,
        observed: manifest.run_id,
      }),
    ];
  }
  if (manifest.run_id === base) return [];
  // A suffix -n is only right when candidates 1..n-1 are taken by runs of other inputs.
  const n = Number(manifest.run_id.slice(base.length + 1));
  for (let k = 1; k < n; k++) {
    const other = await ctx.loadManifest(join(dirname(runDir), runIdCandidate(base, k)));
    const held = other.ok ? other.manifest.inputs_hash : undefined;
    if (held === undefined || held === manifest.inputs_hash) {
      const why = held === undefined ? "is free" : "holds the same inputs";
      return [
        finding(
          "ERR_VERIFY_RUN_ID",
          runPath,
          `suffix -${n} is unjustified: ${runIdCandidate(base, k)} ${why}`,
          { expected: runIdCandidate(base, k), observed: manifest.run_id },
        ),
      ];
    }
  }
  return [];
}

/** A chained run pins its upstream; the pin must match the upstream manifest as it is now. */
async function checkChain(ctx: RunContext, hasPrior: boolean): Promise<Finding[]> {
  const { manifest, runPath, runDir, worldRoot } = ctx;
  if (!hasPrior && manifest.chain.length === 0) return [];
  const broken = (why: string, extra: Omit<Finding, "code" | "run" | "message"> = {}) => [
    finding("ERR_VERIFY_CHAIN", runPath, why, extra),
  ];
  if (!hasPrior) return broken("the manifest names a chain but there is no prior-artifact snapshot");
  const prior = PriorArtifactSnapshot.safeParse(readJson(join(runDir, SNAPSHOT_PATHS.priorArtifact)));
  if (!prior.success) return broken("the prior-artifact snapshot does not parse");
  const link = manifest.chain.at(-1);
  if (!link || link.job_id !== prior.data.job_id || link.run_id !== prior.data.run_id) {
    return broken("the manifest chain does not end at the prior artifact", {
      expected: `${prior.data.job_id}/${prior.data.run_id}`,
      observed: link ? `${link.job_id}/${link.run_id}` : "none",
    });
  }
  const upstreamPath = `${prior.data.job_id}/${prior.data.run_id}`;
  const upstream: LoadedManifest = await ctx.loadManifest(
    join(worldRoot, prior.data.job_id, prior.data.run_id),
  );
  if (!upstream.ok)
    return broken(`upstream ${upstreamPath} has no readable manifest`, { path: upstreamPath });
  const up = upstream.manifest;
  const pinnedDigest = manifestIdentityDigest(up);
  if (up.inputs_hash !== prior.data.inputs_hash)
    return broken(`upstream ${upstreamPath} inputs_hash changed`, {
      expected: prior.data.inputs_hash,
      observed: up.inputs_hash,
    });
  if (pinnedDigest !== prior.data.manifest_sha256)
    return broken(`upstream ${upstreamPath} manifest changed`, {
      expected: prior.data.manifest_sha256,
      observed: pinnedDigest,
    });
  const key = (list: readonly { path: string; sha256: string }[]) =>
    list.map((o) => `${o.path}:${o.sha256}`).join(",");
  if (key(up.outputs) !== key(prior.data.outputs))
    return broken(`upstream ${upstreamPath} outputs changed`, { path: upstreamPath });
  return [];
}
