import { join } from "node:path";
import { listRunPaths } from "../layout.js";
import { verifyOutputs } from "./determinism-verifier.js";
import { type Finding, finding } from "./findings.js";
import { createManifestLoader, type ManifestLoader } from "./load.js";
import { replayRunIdempotent } from "./replay.js";
import { validateSnapshots } from "./snapshot-validator.js";

export interface VerifyReport {
  world: string;
  runs: number;
  findings: Finding[];
}

export interface VerifyOptions {
  /** Called after each run with (done, total): a progress display hooks in here. */
  onProgress?: (done: number, total: number) => void;
  /** Runs verified at once; file reads inside a run are concurrent too. */
  concurrency?: number;
  loadManifest?: ManifestLoader;
  /** Also re-propose each run and check it replays (replay_run_idempotent). */
  replay?: boolean;
}

/** Every check of docs/contracts/verifier.md on one run. */
export async function verifyRun(
  worldRoot: string,
  runPath: string,
  loadManifest: ManifestLoader = createManifestLoader(),
  replay = false,
): Promise<Finding[]> {
  const runDir = join(worldRoot, runPath);
  const loaded = await loadManifest(runDir);
  if (!loaded.ok) return [finding("ERR_VERIFY_MANIFEST", runPath, loaded.reason)];
  const ctx = { worldRoot, runPath, runDir, manifest: loaded.manifest, loadManifest };
  const [snapshots, outputs] = await Promise.all([validateSnapshots(ctx), verifyOutputs(ctx)]);
  const replayed = replay ? await replayRunIdempotent(worldRoot, runPath) : [];
  return [...snapshots, ...outputs, ...replayed];
}

/**
 * Verify every run of a world. Runs are visited in sorted order through a small pool, so memory
 * holds only the runs in flight (plus findings), however large the world grows.
 */
export async function verifyWorld(worldRoot: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const runPaths = listRunPaths(worldRoot);
  const loadManifest = options.loadManifest ?? createManifestLoader();
  const results: Finding[][] = new Array(runPaths.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const runPath = runPaths[i];
      if (runPath === undefined) return;
      results[i] = await verifyRun(worldRoot, runPath, loadManifest, options.replay === true);
      options.onProgress?.(++done, runPaths.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return { world: worldRoot, runs: runPaths.length, findings: results.flat() };
}
