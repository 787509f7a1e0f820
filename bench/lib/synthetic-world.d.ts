import type { Manifest } from "../../src/world/index.js";

/**
 * A synthetic but valid World: real files, real hashes, manifests that verify. For benchmarks
 * and tests that need thousands of runs without spawning thousands of processors.
 */
export interface SyntheticWorldOptions {
  runs: number;
  snapshotsPerRun?: number;
  snapshotBytes?: number;
  outputsPerRun?: number;
  outputBytes?: number;
  /** Runs per job id; the rest of the identity comes from the run's index. */
  runsPerJob?: number;
  /** Write manifests of an older schema version (migration tests). */
  schemaVersion?: 1 | 2;
}

export function writeSyntheticRun(worldRoot: string, index: number, options: SyntheticWorldOptions): Manifest;
export function writeSyntheticWorld(worldRoot: string, options: SyntheticWorldOptions): void;
export function writeSyntheticReceipt(worldRoot: string, index: number): string;
