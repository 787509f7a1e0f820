import { join } from "node:path";
import { linkFindings, verifyOutputs } from "./determinism-verifier.js";
import { verifyExecutionPrefix } from "./execution.js";
import { type Finding, finding } from "./findings.js";
import { checkGovernedReceipts } from "./governed-receipts.js";
import { checkMigrationHistory } from "./history.js";
import { createManifestLoader, type ManifestLoader } from "./load.js";
import { checkRecords, parsedSnapshots } from "./records.js";
import { replayRunIdempotent } from "./replay.js";
import { scanWorld } from "./scan-world.js";
import { validateSnapshots } from "./snapshot-validator.js";
import { type FailedRun, type RunVerdict, verifyUnsettled } from "./unsettled.js";
import { walkTree } from "./walk.js";

export interface VerifyReport {
  world: string;
  /** Run folders of governed jobs visited (settled, pending and failed). */
  runs: number;
  /** `sigil run` results visited under `<world>/outputs/`. */
  executions: number;
  findings: Finding[];
  /** Runs executing now (their lock is held by a live process): not checked, not findings. */
  pending: string[];
  /** Runs whose execution failed (failed.json): listed, not findings; their snapshots are checked. */
  failed: FailedRun[];
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

/** One unit of verification: a governed run folder, or a `sigil run` write prefix. */
export interface VerifyTarget {
  kind: "run" | "execution";
  /** World-relative. */
  path: string;
}

/** Every check of docs/contracts/verifier.md on one run, plus links, records, history, receipts and its state. */
export async function verifyRun(
  worldRoot: string,
  runPath: string,
  loadManifest: ManifestLoader = createManifestLoader(),
  replay = false,
): Promise<RunVerdict> {
  const runDir = join(worldRoot, runPath);
  const walked = walkTree(runDir);
  const links = linkFindings(walked, runPath);
  const loaded = await loadManifest(runDir);
  if (!loaded.ok) {
    if (!loaded.missing)
      return { findings: [...links, finding("ERR_VERIFY_MANIFEST", runPath, loaded.reason)] };
    const verdict = await verifyUnsettled({ runPath, runDir, walked, loadManifest });
    return { ...verdict, findings: [...links, ...verdict.findings] };
  }
  const { manifest } = loaded;
  const ctx = {
    worldRoot,
    runPath,
    runDir,
    manifest,
    inputsHash: loaded.inputsHash,
    loadManifest,
    walked,
    contents: new Map<string, Buffer>(),
  };
  const found = [...links];
  if (!loaded.canonical)
    found.push(finding("ERR_VERIFY_CANONICAL", runPath, "manifest.json", { path: "manifest.json" }));
  found.push(...(await validateSnapshots(ctx)));
  const snapshots = parsedSnapshots(ctx);
  found.push(
    ...checkRecords(ctx, snapshots),
    ...checkMigrationHistory(manifest, runPath),
    ...verifyOutputs(ctx),
    ...checkGovernedReceipts(ctx, snapshots),
  );
  if (replay) found.push(...(await replayRunIdempotent(worldRoot, runPath)));
  return { findings: found };
}

export async function verifyTarget(
  worldRoot: string,
  target: VerifyTarget,
  loadManifest: ManifestLoader,
  replay: boolean,
): Promise<RunVerdict> {
  if (target.kind === "execution")
    return { findings: await verifyExecutionPrefix(worldRoot, join(worldRoot, target.path)) };
  return verifyRun(worldRoot, target.path, loadManifest, replay);
}

/** The units of a world, in report order: governed runs, then `sigil run` results. */
export function planWorld(
  worldRoot: string,
  onRuns?: (found: number) => void,
): { targets: VerifyTarget[]; findings: Finding[] } {
  const scan = scanWorld(worldRoot, onRuns);
  const targets: VerifyTarget[] = [
    ...scan.runPaths.map((path) => ({ kind: "run" as const, path })),
    ...scan.prefixes.map((path) => ({ kind: "execution" as const, path })),
  ];
  return { targets, findings: scan.findings };
}

/** Assemble the report from the scan's findings and each target's verdict, in target order. */
export function assembleReport(
  worldRoot: string,
  plan: { targets: VerifyTarget[]; findings: Finding[] },
  verdicts: RunVerdict[],
): VerifyReport {
  const report: VerifyReport = {
    world: worldRoot,
    runs: plan.targets.filter((t) => t.kind === "run").length,
    executions: plan.targets.filter((t) => t.kind === "execution").length,
    findings: [...plan.findings],
    pending: [],
    failed: [],
  };
  verdicts.forEach((verdict, i) => {
    report.findings.push(...verdict.findings);
    if (verdict.state === "pending") report.pending.push(plan.targets[i]?.path ?? "");
    if (verdict.failed) report.failed.push(verdict.failed);
  });
  return report;
}

/**
 * Verify every run of a world. Runs are visited in sorted order through a small pool, so memory
 * holds only the runs in flight (plus findings), however large the world grows.
 */
export async function verifyWorld(worldRoot: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const plan = planWorld(worldRoot);
  const loadManifest = options.loadManifest ?? createManifestLoader();
  const results: RunVerdict[] = new Array(plan.targets.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const target = plan.targets[i];
      if (target === undefined) return;
      results[i] = await verifyTarget(worldRoot, target, loadManifest, options.replay === true);
      options.onProgress?.(++done, plan.targets.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return assembleReport(worldRoot, plan, results);
}
