import { basename, dirname, join } from "node:path";
import { isCanonicalJson, parseJsonCanonicalFirst } from "../../core/index.js";
import { type Manifest, manifestIdentityDigest } from "../manifest.js";
import { deriveRunIdBase, isDerivedRunId, runIdCandidate } from "../run-id.js";
import { BriefSnapshot, PriorArtifactSnapshot } from "../snapshot-contracts.js";
import { computeInputsHash, INPUTS_DIR, SNAPSHOT_PATHS } from "../snapshots.js";
import { type Finding, finding } from "./findings.js";
import { digestIfPresent } from "./hash-files.js";
import type { LoadedManifest, ManifestLoader } from "./load.js";
import { checkRecordedFiles } from "./recorded-files.js";
import { type Walked, walkTree } from "./walk.js";

export interface RunContext {
  worldRoot: string;
  /** `<job_id>/<run_id>` as found on disk. */
  runPath: string;
  runDir: string;
  manifest: Manifest;
  /** inputs_hash recomputed from the manifest's snapshot list, once, by the loader. */
  inputsHash: string;
  loadManifest: ManifestLoader;
  /** One walk of the run directory (links never followed). */
  walked: Walked;
  /** Snapshot bytes read while hashing, by path: parsed from here, never read twice. */
  contents: Map<string, Buffer>;
}

/** Everything directly under `inputs/`: a snapshot is a file there, anything else is undeclared. */
export function listInputs(walked: Walked): string[] {
  const prefix = `${INPUTS_DIR}/`;
  return [...walked.files, ...walked.dirs]
    .filter((p) => p.startsWith(prefix) && !p.includes("/", prefix.length))
    .sort();
}

/** A snapshot's bytes parsed as JSON, or undefined when absent or not JSON. */
export function snapshotJson(contents: ReadonlyMap<string, Buffer>, path: string): unknown | undefined {
  const bytes = contents.get(path);
  if (!bytes) return undefined;
  try {
    return parseJsonCanonicalFirst(bytes).value;
  } catch {
    return undefined;
  }
}

/** The snapshots whose contents the checks read (the others are only hashed and form-checked). */
const KNOWN_SNAPSHOTS: ReadonlySet<string> = new Set(Object.values(SNAPSHOT_PATHS));

/** Snapshots are written as canonical JSON; any other bytes were not written by admission. */
export function checkCanonical(contents: ReadonlyMap<string, Buffer>, runPath: string): Finding[] {
  const found: Finding[] = [];
  for (const [path, bytes] of contents) {
    if (!isCanonicalJson(bytes)) found.push(finding("ERR_VERIFY_CANONICAL", runPath, path, { path }));
  }
  return found;
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
    ...checkRecordedFiles(
      runDir,
      runPath,
      manifest.snapshots,
      { missing: "ERR_VERIFY_SNAPSHOT_MISSING", mismatch: "ERR_VERIFY_SNAPSHOT_HASH" },
      { keep: (path) => KNOWN_SNAPSHOTS.has(path), contents: ctx.contents },
    ),
  );
  for (const path of listInputs(ctx.walked)) {
    if (!declared.has(path)) found.push(finding("ERR_VERIFY_SNAPSHOT_UNDECLARED", runPath, path, { path }));
  }

  const recomputed = ctx.inputsHash;
  if (recomputed !== manifest.inputs_hash) {
    found.push(
      finding("ERR_VERIFY_INPUTS_HASH", runPath, "the snapshot list hashes to another value", {
        expected: recomputed,
        observed: manifest.inputs_hash,
      }),
    );
  }
  found.push(...(await checkRunId(ctx, manifest.run_id, manifest.inputs_hash)));

  if (declared.has(SNAPSHOT_PATHS.brief)) {
    const brief = BriefSnapshot.safeParse(snapshotJson(ctx.contents, SNAPSHOT_PATHS.brief));
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

/** The identity a neighbouring run folder holds: its manifest's, or its snapshots' when unsettled. */
async function heldInputsHash(dir: string, loadManifest: ManifestLoader): Promise<string | undefined> {
  const loaded = await loadManifest(dir);
  if (loaded.ok) return loaded.manifest.inputs_hash;
  if (!loaded.missing) return undefined;
  const entries = listInputs(walkTree(dir, "", { files: [], dirs: [], links: [] }))
    .map((path) => ({ path, digest: digestIfPresent(join(dir, path)) }))
    .filter((e) => e.digest !== undefined);
  return entries.length === 0
    ? undefined
    : computeInputsHash(entries.map((e) => ({ path: e.path, sha256: e.digest?.sha256 ?? "" })));
}

/** run_id is the 16-hex prefix of inputs_hash, or a suffix justified by the runs before it. */
export async function checkRunId(
  ctx: Pick<RunContext, "runPath" | "runDir" | "loadManifest">,
  runId: string,
  inputsHash: string,
): Promise<Finding[]> {
  const { runPath, runDir } = ctx;
  const base = deriveRunIdBase(inputsHash);
  if (!isDerivedRunId(runId, inputsHash)) {
    return [
      finding("ERR_VERIFY_RUN_ID", runPath, "run_id is not derived from inputs_hash", {
        expected: base,
        observed: runId,
      }),
    ];
  }
  if (runId === base) return [];
  // A suffix -n is only right when candidates 1..n-1 are taken by runs of other inputs.
  const n = Number(runId.slice(base.length + 1));
  for (let k = 1; k < n; k++) {
    const held = await heldInputsHash(join(dirname(runDir), runIdCandidate(base, k)), ctx.loadManifest);
    if (held === undefined || held === inputsHash) {
      const why = held === undefined ? "is free" : "holds the same inputs";
      return [
        finding(
          "ERR_VERIFY_RUN_ID",
          runPath,
          `suffix -${n} is unjustified: ${runIdCandidate(base, k)} ${why}`,
          { expected: runIdCandidate(base, k), observed: runId },
        ),
      ];
    }
  }
  return [];
}

/** A chained run pins its upstream; the pin must match the upstream manifest as it is now. */
async function checkChain(ctx: RunContext, hasPrior: boolean): Promise<Finding[]> {
  const { manifest, runPath, worldRoot } = ctx;
  if (!hasPrior && manifest.chain.length === 0) return [];
  const broken = (why: string, extra: Omit<Finding, "code" | "run" | "message"> = {}) => [
    finding("ERR_VERIFY_CHAIN", runPath, why, extra),
  ];
  if (!hasPrior) return broken("the manifest names a chain but there is no prior-artifact snapshot");
  const prior = PriorArtifactSnapshot.safeParse(snapshotJson(ctx.contents, SNAPSHOT_PATHS.priorArtifact));
  if (!prior.success) return broken("the prior-artifact snapshot does not parse");
  // The chain is stated twice: in the manifest and in the prior-artifact snapshot (its chain + it).
  const chainOf = (links: readonly { job_id: string; run_id: string }[]) =>
    links.map((l) => `${l.job_id}/${l.run_id}`).join(" → ") || "none";
  const expectedChain = chainOf([...prior.data.chain, prior.data]);
  if (chainOf(manifest.chain) !== expectedChain) {
    return broken("the manifest chain does not end at the prior artifact", {
      expected: expectedChain,
      observed: chainOf(manifest.chain),
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
  if (up.job_type !== prior.data.job_type || chainOf(up.chain) !== chainOf(prior.data.chain))
    return broken(`upstream ${upstreamPath} job_type or chain differs from the prior artifact`, {
      path: SNAPSHOT_PATHS.priorArtifact,
    });
  return [];
}
