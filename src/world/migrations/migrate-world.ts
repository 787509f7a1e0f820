import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  canonicalBytes,
  canonicalize,
  parseJsonStrict,
  SigilError,
  sha256Hex,
  writeFileAtomic,
} from "../../core/index.js";
import { listRunPaths } from "../layout.js";
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA_VERSION,
  MANIFEST_UPGRADES,
  type Manifest,
  parseManifestValue,
} from "../manifest.js";

export interface MigrationStep {
  run: string;
  from: number;
  to: number;
  migrations: { id: string; reason: string }[];
}

export interface MigrateReport {
  dry_run: boolean;
  runs: number;
  already_current: number;
  /** What was (or, in a dry run, would be) migrated. */
  steps: MigrationStep[];
  /** Run folders whose manifest cannot be read: left alone, reported by `sigil verify`. */
  skipped: { run: string; reason: string }[];
  /** Run folders with no manifest yet (executing, failed or interrupted): nothing to migrate. */
  unsettled: string[];
}

/** Where the bytes of a manifest are kept before a migration rewrites it. */
export function backupPath(worldRoot: string, run: string, version: number, bytes: Buffer): string {
  return join(
    worldRoot,
    ".sigil",
    "backups",
    run,
    `manifest.v${version}.${sha256Hex(bytes).slice(0, 16)}.json`,
  );
}

const JsonRecord = z.record(z.string(), z.unknown());

/** Identity never moves in a migration (docs/contracts/migrations.md); checked on every manifest, not assumed. */
function assertIdentityKept(before: Record<string, unknown>, after: Manifest, run: string): void {
  for (const key of [
    "job_id",
    "run_id",
    "inputs_hash",
    "snapshots",
    "outputs",
    "chain",
    "doctrine",
    "processor",
  ] as const) {
    if (canonicalize(before[key]) !== canonicalize(after[key])) {
      throw new SigilError("ERR_RUN_CORRUPT", `${run}: migration would change ${key}; refusing`);
    }
  }
}

/**
 * Bring every manifest of a world to the current schema version. Each manifest is backed up,
 * then replaced atomically (temp, fsync, rename), so a crash leaves each one old or new, never
 * torn; a rerun finishes the rest; a second run finds nothing to do. `dryRun` writes nothing.
 */
export async function migrateWorld(
  worldRoot: string,
  options: { dryRun?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<MigrateReport> {
  const runPaths = listRunPaths(worldRoot);
  const report: MigrateReport = {
    dry_run: options.dryRun === true,
    runs: runPaths.length,
    already_current: 0,
    steps: [],
    skipped: [],
    unsettled: [],
  };
  let done = 0;
  for (const run of runPaths) {
    options.onProgress?.(++done, runPaths.length);
    const path = join(worldRoot, run, MANIFEST_FILE);
    let bytes: Buffer;
    let raw: Record<string, unknown>;
    let upgraded: { manifest: Manifest; fromVersion: number };
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") report.unsettled.push(run);
      else report.skipped.push({ run, reason: (error as Error).message.slice(0, 300) });
      continue;
    }
    try {
      const value = parseJsonStrict(bytes.toString("utf8"));
      upgraded = parseManifestValue(value, path);
      raw = JsonRecord.parse(value);
    } catch (error) {
      report.skipped.push({ run, reason: (error as Error).message.slice(0, 300) });
      continue;
    }
    if (upgraded.fromVersion === MANIFEST_SCHEMA_VERSION) {
      report.already_current++;
      continue;
    }
    assertIdentityKept(raw, upgraded.manifest, run);
    const migrations = MANIFEST_UPGRADES.filter((u) => u.from >= upgraded.fromVersion).map(
      ({ id, reason }) => ({ id, reason }),
    );
    report.steps.push({ run, from: upgraded.fromVersion, to: MANIFEST_SCHEMA_VERSION, migrations });
    if (options.dryRun) continue;
    const backup = backupPath(worldRoot, run, upgraded.fromVersion, bytes);
    if (!existsSync(backup)) await writeFileAtomic(backup, bytes);
    await writeFileAtomic(path, canonicalBytes(upgraded.manifest));
  }
  return report;
}
