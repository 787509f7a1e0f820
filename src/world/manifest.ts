import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import {
  canonicalBytes,
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
export const MANIFEST_SCHEMA_VERSION = 1;

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

/** `manifest.json` of a governed run (SPEC §2.3). */
export const Manifest = z.strictObject({
  schema_version: z.literal(MANIFEST_SCHEMA_VERSION),
  job_id: Name,
  job_type: Name,
  run_id: RunId,
  inputs_hash: Sha256,
  snapshots: z.array(OutputEntry).min(1),
  doctrine: z.array(DoctrineRecord),
  processor: ProcessorRecord,
  chain: z.array(ChainLink),
  outputs: z.array(OutputEntry),
  // Entry shape belongs to the migrations (SPEC §2.7); a fresh run has none.
  migration_history: z.array(z.record(z.string(), z.unknown())),
  runtime: ManifestRuntime,
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

/**
 * The digest a downstream stage pins (`manifest_sha256` of a prior artifact). Taken over the
 * deterministic serialization, so re-running an upstream in a fresh world pins the same value.
 */
export function manifestDigest(manifest: Manifest): string {
  return sha256Hex(deterministicManifestBytes(manifest));
}

/**
 * The checks a manifest passes about itself: inputs_hash recomputes from its snapshot list and
 * its lists are sorted and unique. Whether run_id derives from inputs_hash (suffix included)
 * depends on the neighbouring runs, so that check lives with the run locator and the verifier.
 */
export function assertManifestConsistent(manifest: Manifest, where: string): void {
  const fail = (why: string) => {
    throw new SigilError("ERR_RUN_CORRUPT", `${where}: ${why}`);
  };
  if (computeInputsHash(manifest.snapshots) !== manifest.inputs_hash)
    fail("inputs_hash does not recompute from the snapshot list");
  for (const list of [manifest.snapshots, manifest.outputs]) {
    list.forEach((entry, i) => {
      const previous = list[i - 1];
      if (previous && previous.path >= entry.path) fail(`${entry.path} is out of order or repeated`);
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
  const manifest = parseWith(Manifest, parsed, "ERR_RUN_CORRUPT", where);
  assertManifestConsistent(manifest, where);
  return manifest;
}

/** The commit point of a run: canonical JSON, temp file + fsync + rename, so never half-written. */
export async function writeManifest(runDir: string, manifest: Manifest): Promise<void> {
  assertManifestConsistent(manifest, join(runDir, MANIFEST_FILE));
  await writeFileAtomic(join(runDir, MANIFEST_FILE), canonicalBytes(manifest));
}
