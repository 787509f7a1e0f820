import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  canonicalBytes,
  HASH_SCHEMA,
  OutputEntry,
  parseJsonStrict,
  parseWith,
  Sha256,
  SigilError,
  sha256Hex,
  writeFileAtomic,
} from "../core/index.js";
import { RunId } from "./run-id.js";
import { computeInputsHash } from "./snapshots.js";

export const MANIFEST_FILE = "manifest.json";
/** v2 records `hash_schema`, so a manifest says how its inputs_hash is computed (docs/contracts/migrations.md). */
export const MANIFEST_SCHEMA_VERSION = 2;

const Name = z.string().min(1).max(200);

/** Runtime facts of one execution: never part of the deterministic serialization. */
export const ManifestRuntime = z.strictObject({
  started_at: z.string(),
  finished_at: z.string(),
  queue_job_id: z.string().min(1),
  langfuse_trace_id: z.string().min(1).nullable(),
  execution_id: z.string().min(1).optional(),
});
export type ManifestRuntime = z.infer<typeof ManifestRuntime>;

export const DoctrineRecord = z.strictObject({ doctrine_id: Name, version: Name, sha256: Sha256 });
export type DoctrineRecord = z.infer<typeof DoctrineRecord>;

export const ChainLink = z.strictObject({ job_id: Name, run_id: RunId });
export type ChainLink = z.infer<typeof ChainLink>;

export const ProcessorRecord = z.strictObject({ ref: Name, image_digest: z.string().min(1) });
export type ProcessorRecord = z.infer<typeof ProcessorRecord>;

/**
 * One step of `migration_history`: deterministic (no clock), so upgrading a manifest in memory
 * and migrating it on disk produce the same bytes. `manifest_sha256_before` is the digest the
 * manifest had before the step: what downstream runs settled earlier may have pinned.
 */
export const MigrationRecord = z.strictObject({
  migration: z.string().min(1),
  from_version: z.number().int().positive(),
  to_version: z.number().int().positive(),
  manifest_sha256_before: Sha256,
});
export type MigrationRecord = z.infer<typeof MigrationRecord>;

const manifestFieldsV1 = {
  job_id: Name,
  job_type: Name,
  run_id: RunId,
  inputs_hash: Sha256,
  snapshots: z.array(OutputEntry).min(1),
  doctrine: z.array(DoctrineRecord),
  processor: ProcessorRecord,
  chain: z.array(ChainLink),
  outputs: z.array(OutputEntry),
  migration_history: z.array(MigrationRecord),
  runtime: ManifestRuntime,
};

/** `manifest.json` as written before schema v2: still read, upgraded on load (docs/contracts/migrations.md). */
export const ManifestV1 = z.strictObject({ schema_version: z.literal(1), ...manifestFieldsV1 });
export type ManifestV1 = z.infer<typeof ManifestV1>;

/** `manifest.json` of a governed run (docs/contracts/manifest.md), current schema. */
export const Manifest = z.strictObject({
  schema_version: z.literal(MANIFEST_SCHEMA_VERSION),
  hash_schema: z.literal(HASH_SCHEMA),
  ...manifestFieldsV1,
});
export type Manifest = z.infer<typeof Manifest>;
export type DeterministicManifest = Omit<Manifest, "runtime">;

export function deterministicManifest(manifest: Manifest): DeterministicManifest {
  const { runtime: _runtime, ...rest } = manifest;
  return rest;
}

/** The bytes two identical runs share: canonical JSON of the manifest without its runtime section. */
export function deterministicManifestBytes(manifest: Manifest): Buffer {
  return canonicalBytes(deterministicManifest(manifest));
}

/** sha256 of a manifest's deterministic serialization (any schema version: runtime left out). */
export function manifestDigest(manifest: Manifest | ManifestV1): string {
  const { runtime: _runtime, ...rest } = manifest;
  return sha256Hex(canonicalBytes(rest));
}

/**
 * The digest a downstream stage pins (`manifest_sha256` of a prior artifact): of the manifest as
 * first settled. Deterministic, so an upstream re-run in a fresh world pins the same value, and
 * stable across schema migrations, which record the digest they started from.
 */
export function manifestIdentityDigest(manifest: Manifest): string {
  return manifest.migration_history[0]?.manifest_sha256_before ?? manifestDigest(manifest);
}

/** One schema step: pure, deterministic, and it keeps job_id, run_id, snapshots and hashes. */
export interface ManifestUpgrade {
  id: string;
  from: number;
  to: number;
  /** Why the schema changed, for `sigil migrate --dry-run`. */
  reason: string;
  /**
   * The inverse on a manifest's deterministic part (runtime left out): the manifest this step was
   * given, with `earlier` as its history. The verifier hashes it against `manifest_sha256_before`,
   * so a history entry is believed only when this step really could have produced the manifest.
   * Undefined when the manifest cannot be this step's output.
   */
  undo(
    after: Readonly<Record<string, unknown>>,
    earlier: readonly MigrationRecord[],
  ): Record<string, unknown> | undefined;
}

export const MANIFEST_UPGRADES: readonly ManifestUpgrade[] = [
  {
    id: "v1-to-v2-hash-schema",
    from: 1,
    to: 2,
    reason: "record hash_schema, so the manifest says how its inputs_hash is computed",
    // The step only adds hash_schema, with its one fixed value, and bumps the version.
    undo: ({ schema_version, hash_schema, migration_history: _h, ...rest }, earlier) =>
      schema_version === 2 && hash_schema === HASH_SCHEMA
        ? { schema_version: 1, ...rest, migration_history: [...earlier] }
        : undefined,
  },
];

/** v1 → v2: add `hash_schema` (every v1 inputs_hash is jcs-sha256-v1) and record the step. */
export function upgradeManifestV1(v1: ManifestV1): Manifest {
  const { schema_version: _v, migration_history, ...rest } = v1;
  return {
    schema_version: 2,
    hash_schema: HASH_SCHEMA,
    ...rest,
    migration_history: [
      ...migration_history,
      {
        migration: "v1-to-v2-hash-schema",
        from_version: 1,
        to_version: 2,
        manifest_sha256_before: manifestDigest(v1),
      },
    ],
  };
}

/**
 * Parse a manifest of any known schema version into the current one. Older versions are
 * upgraded in memory exactly as `sigil migrate` would upgrade them on disk.
 */
export function parseManifestValue(
  value: unknown,
  where: string,
): { manifest: Manifest; fromVersion: number } {
  const version =
    typeof value === "object" && value !== null
      ? (value as { schema_version?: unknown }).schema_version
      : undefined;
  if (version === 1) {
    return {
      manifest: upgradeManifestV1(parseWith(ManifestV1, value, "ERR_RUN_CORRUPT", where)),
      fromVersion: 1,
    };
  }
  return {
    manifest: parseWith(Manifest, value, "ERR_RUN_CORRUPT", where),
    fromVersion: MANIFEST_SCHEMA_VERSION,
  };
}

/**
 * The checks a manifest passes about itself: inputs_hash recomputes from its snapshot list and
 * its lists are sorted and unique. Whether run_id derives from inputs_hash (suffix included)
 * depends on the neighbouring runs, so that check lives with the run locator and the verifier.
 */
export function assertManifestConsistent(manifest: Manifest, where: string): void {
  if (computeInputsHash(manifest.snapshots) !== manifest.inputs_hash)
    throw new SigilError(
      "ERR_RUN_CORRUPT",
      `${where}: inputs_hash does not recompute from the snapshot list`,
    );
  assertManifestListsSorted(manifest, where);
}

/**
 * Sorted, unique snapshot and output lists: part of the format. The verifier checks this alone
 * and reports an inputs_hash that does not recompute as a finding of its own.
 */
export function assertManifestListsSorted(manifest: Manifest, where: string): void {
  for (const list of [manifest.snapshots, manifest.outputs]) {
    list.forEach((entry, i) => {
      const previous = list[i - 1];
      if (previous && previous.path >= entry.path)
        throw new SigilError("ERR_RUN_CORRUPT", `${where}: ${entry.path} is out of order or repeated`);
    });
  }
}

/** The manifest of `runDir`, or undefined when there is none. Unreadable → ERR_RUN_CORRUPT. */
export async function readManifest(runDir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(runDir, MANIFEST_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const where = join(runDir, MANIFEST_FILE);
  let parsed: unknown;
  try {
    parsed = parseJsonStrict(text);
  } catch (error) {
    throw new SigilError("ERR_RUN_CORRUPT", `${where}: ${(error as Error).message}`);
  }
  const { manifest } = parseManifestValue(parsed, where);
  assertManifestConsistent(manifest, where);
  return manifest;
}

/** The commit point of a run: canonical JSON, temp file + fsync + rename, so never half-written. */
export async function writeManifest(runDir: string, manifest: Manifest): Promise<void> {
  assertManifestConsistent(manifest, join(runDir, MANIFEST_FILE));
  await writeFileAtomic(join(runDir, MANIFEST_FILE), canonicalBytes(manifest));
}
