import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { parseJsonStrict } from "../core/index.js";
import { readFailedRecord } from "./failed-run.js";
import { ATTEMPTS_DIR, RECEIPT_FILE, RECEIPTS_DIR } from "./layout.js";
import { MANIFEST_FILE } from "./manifest.js";
import { type LockOwner, liveLockHolder } from "./run-lock-state.js";
import { scanWorld } from "./verify/scan-world.js";

/**
 * Leftovers younger than this are left alone: a staging folder or a receipt twin that new may
 * belong to a proposal or a `sigil run` that is still writing (neither records its owner).
 */
export const GC_GRACE_MS = 15 * 60 * 1000;

export type GcKind = "staging" | "attempt" | "receipt_twin";
export interface GcRemoval {
  kind: GcKind;
  /** World-relative. */
  path: string;
  reason: string;
}
export interface GcReport {
  dry_run: boolean;
  removed: GcRemoval[];
}
export interface GcOptions {
  dryRun?: boolean;
  graceMs?: number;
  now?: number;
  isAlive?: (owner: LockOwner) => boolean;
}

/** Only the field gc needs from a receipt or a manifest's runtime section. */
const ExecutionRef = z.looseObject({ execution_id: z.string().min(1) });
const ManifestRef = z.looseObject({ runtime: z.looseObject({ execution_id: z.string().min(1).optional() }) });

function readJson(path: string): unknown {
  try {
    return parseJsonStrict(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function ageMs(path: string, now: number): number {
  try {
    return now - lstatSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

const exists = (path: string) => ageMs(path, Number.POSITIVE_INFINITY) > 0;

/**
 * `sigil gc`: remove what no run needs. Abandoned staging folders (`<job>/.admit-*`), attempt
 * folders of unsettled runs nobody is executing (`<run>/.attempts/*`, lock not held), and receipt
 * twins (`execution/<id>/`) that no run references: not a settled run's manifest or receipt, not a
 * failed run's failed.json, not an attempt in progress, not a `sigil run` result under outputs/.
 * A settled run is never touched. `dryRun` reports what would go and removes nothing.
 */
export async function collectGarbage(worldRoot: string, options: GcOptions = {}): Promise<GcReport> {
  const now = options.now ?? Date.now();
  const grace = options.graceMs ?? GC_GRACE_MS;
  const removals: GcRemoval[] = [];
  const referenced = new Set<string>();
  const scan = scanWorld(worldRoot);

  for (const path of scan.staging) {
    if (ageMs(join(worldRoot, path), now) > grace)
      removals.push({
        kind: "staging",
        path,
        reason: "staged snapshots of a proposal that never claimed them",
      });
  }
  for (const runPath of scan.runPaths) {
    const runDir = join(worldRoot, runPath);
    const receipt = ExecutionRef.safeParse(readJson(join(runDir, "receipt.json")));
    if (receipt.success) referenced.add(receipt.data.execution_id);
    if (exists(join(runDir, MANIFEST_FILE))) {
      const manifest = ManifestRef.safeParse(readJson(join(runDir, MANIFEST_FILE)));
      if (manifest.success && manifest.data.runtime.execution_id)
        referenced.add(manifest.data.runtime.execution_id);
      continue; // settled: never touched
    }
    const failed = readFailedRecord(runDir);
    if (typeof failed === "object" && failed.execution_id) referenced.add(failed.execution_id);
    const attempts = names(join(runDir, ATTEMPTS_DIR));
    if (liveLockHolder(runDir, options.isAlive)) {
      for (const id of attempts) referenced.add(id);
      continue;
    }
    for (const id of attempts)
      removals.push({
        kind: "attempt",
        path: `${runPath}/${ATTEMPTS_DIR}/${id}`,
        reason: "attempt of an unsettled run nobody is executing",
      });
  }
  for (const prefix of scan.prefixes) {
    for (const segment of prefix.split("/")) referenced.add(segment);
    const receipt = ExecutionRef.safeParse(readJson(join(worldRoot, prefix, "receipt.json")));
    if (receipt.success) referenced.add(receipt.data.execution_id);
  }
  for (const id of names(join(worldRoot, RECEIPTS_DIR)).sort()) {
    const path = `${RECEIPTS_DIR}/${id}`;
    if (referenced.has(id) || ageMs(join(worldRoot, path, RECEIPT_FILE), now) <= grace) continue;
    removals.push({ kind: "receipt_twin", path, reason: "receipt twin no run references" });
  }

  if (options.dryRun) return { dry_run: true, removed: removals };
  const removed: GcRemoval[] = [];
  for (const removal of removals) {
    // Looked at again right before removing: a proposal may have locked the run meanwhile.
    if (removal.kind === "attempt") {
      const runDir = join(worldRoot, removal.path, "..", "..");
      if (liveLockHolder(runDir, options.isAlive) || exists(join(runDir, MANIFEST_FILE))) continue;
    }
    await rm(join(worldRoot, removal.path), { recursive: true, force: true, maxRetries: 3 });
    removed.push(removal);
  }
  return { dry_run: false, removed };
}
