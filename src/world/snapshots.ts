import { mkdir, open, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalBytes, canonicalString, SigilError, sha256File, sha256Hex } from "../core/index.js";

/** The folder of a run that holds its snapshots; every file in it is part of the identity. */
export const INPUTS_DIR = "inputs";

/** Snapshot files (docs/contracts/world.md), as paths relative to the run directory. */
export const SNAPSHOT_PATHS = {
  brief: "inputs/brief.resolved.json",
  context: "inputs/context.resolved.json",
  modelConfig: "inputs/model_config.json",
  doctrine: "inputs/doctrine.resolved.json",
  priorArtifact: "inputs/prior_artifact.resolved.json",
} as const;

/** One snapshot as the manifest records it: `{path, sha256, bytes}`, hashed from disk. */
export interface SnapshotEntry {
  path: string;
  sha256: string;
  bytes: number;
}

function byPath<T extends { path: string }>(a: T, b: T): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * `inputs_hash` (docs/contracts/world.md): sha256 hex of JCS of `[{path, sha256}]` sorted by path. Only path and
 * sha256 take part, so it is recomputable from a manifest's snapshot list alone.
 */
export function computeInputsHash(entries: readonly { path: string; sha256: string }[]): string {
  const sorted = entries.every((e, i) => i === 0 || (entries[i - 1]?.path ?? "") <= e.path)
    ? entries
    : [...entries].sort(byPath);
  // canonicalize() of the `{path, sha256}` listing, written directly ("path" sorts before
  // "sha256"): the verifier computes this for every run (test/property/inputs-hash.property.test.ts).
  let text = "[";
  for (const [i, { path, sha256 }] of sorted.entries()) {
    text += `${i === 0 ? "" : ","}{"path":${canonicalString(path)},"sha256":${canonicalString(sha256)}}`;
  }
  return sha256Hex(`${text}]`);
}

/**
 * Write each snapshot as canonical JSON under `dir`. Not fsynced here: a staged set that loses
 * the race or is a replay is thrown away; `sealTree` makes a set durable before it is claimed.
 */
export async function writeSnapshots(dir: string, files: ReadonlyMap<string, unknown>): Promise<void> {
  await mkdir(join(dir, INPUTS_DIR), { recursive: true });
  for (const [path, value] of files) {
    if (!path.startsWith(`${INPUTS_DIR}/`) || path.split("/").length !== 2) {
      throw new SigilError("ERR_INPUTS", `snapshot path ${path} is not directly under ${INPUTS_DIR}/`);
    }
    await writeFile(join(dir, path), canonicalBytes(value), { flag: "wx" });
  }
}

/** Every file directly under `<runDir>/inputs/`, hashed from the bytes on disk, sorted by path. */
export async function hashSnapshots(runDir: string): Promise<SnapshotEntry[]> {
  const dir = join(runDir, INPUTS_DIR);
  const items = await readdir(dir, { withFileTypes: true });
  const entries: SnapshotEntry[] = [];
  for (const item of items) {
    if (!item.isFile()) {
      throw new SigilError(
        "ERR_RUN_CORRUPT",
        `${INPUTS_DIR}/${item.name} in ${runDir} is not a regular file`,
      );
    }
    entries.push({ path: `${INPUTS_DIR}/${item.name}`, ...(await sha256File(join(dir, item.name))) });
  }
  return entries.sort(byPath);
}

/** Stage snapshots into `dir` and hash them back from disk. */
export async function stageSnapshots(
  dir: string,
  files: ReadonlyMap<string, unknown>,
): Promise<{ snapshots: SnapshotEntry[]; inputsHash: string }> {
  await writeSnapshots(dir, files);
  const snapshots = await hashSnapshots(dir);
  return { snapshots, inputsHash: computeInputsHash(snapshots) };
}

/** fsync every file and folder under `dir`, so a rename that publishes it publishes whole bytes. */
export async function sealTree(dir: string): Promise<void> {
  const items = await readdir(dir, { withFileTypes: true });
  for (const item of items) {
    const path = join(dir, item.name);
    if (item.isDirectory()) await sealTree(path);
    else await fsyncPath(path);
  }
  await fsyncPath(dir);
}

export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
