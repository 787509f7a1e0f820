import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SigilError, walkEntries } from "../core/index.js";
import { listRunPaths, pathExists } from "../world/index.js";
import { type VerifyReport, verifyWorld } from "../world/verify/index.js";
import type { GovernancePublisher, PublishFile, PublishUnit } from "./publisher/index.js";
import { compare } from "./publisher/index.js";

/** Where a governed run lands in the governance repository. */
export const ARTIFACTS_PREFIX = "artifacts";

export interface PublishWorldOptions {
  readonly world: string;
  readonly publisher: GovernancePublisher;
  readonly signal?: AbortSignal;
  /** Called after each run lands (or is found already there), in run order. */
  readonly onRun?: (run: PublishedRun) => void;
  /** The verifier; tests and the App may pass a prepared one. Default: verifyWorld. */
  readonly verify?: (world: string) => Promise<VerifyReport>;
}

export interface PublishedRun {
  /** `<job_id>/<run_id>` */
  readonly run: string;
  /** `artifacts/<job_id>/<run_id>` in the governance repository. */
  readonly path: string;
  readonly status: "written" | "unchanged";
  readonly commit: string | null;
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
}

export interface PublishWorldReport {
  readonly world: string;
  readonly backend: GovernancePublisher["backend"];
  readonly target: string;
  readonly runs: readonly PublishedRun[];
  /** Runs not settled (executing now, or failed): never published. */
  readonly skipped: readonly { readonly run: string; readonly state: "pending" | "failed" }[];
}

/**
 * Verifies a World, then commits each settled run as one unit under
 * `artifacts/<job_id>/<run_id>/`. A World with findings is refused with the first finding's
 * ERR_VERIFY_* code before anything is committed; a run already published is a no-op; a run
 * whose path holds other bytes stops the publish with ERR_PUBLISH_CONFLICT (earlier runs stay).
 */
export async function publishWorld(options: PublishWorldOptions): Promise<PublishWorldReport> {
  const { world, publisher } = options;
  const report = await (options.verify ?? verifyWorld)(world);
  const first = report.findings[0];
  if (first) {
    throw new SigilError(
      first.code,
      `${report.findings.length} finding(s), nothing published; first: ${first.message} (${first.run})`,
      {
        findings: report.findings.length,
        run: first.run,
      },
    );
  }
  const skipped = [
    ...report.pending.map((run) => ({ run, state: "pending" as const })),
    ...report.failed.map((f) => ({ run: f.run, state: "failed" as const })),
  ];
  const unsettled = new Set(skipped.map((s) => s.run));
  const runs: PublishedRun[] = [];
  for (const run of listRunPaths(world)) {
    options.signal?.throwIfAborted();
    if (unsettled.has(run) || !(await pathExists(join(world, run, "manifest.json")))) continue;
    const unit = await runUnit(world, run);
    const result = await publisher.publish(unit, options.signal ? { signal: options.signal } : {});
    const published: PublishedRun = {
      run,
      path: `${ARTIFACTS_PREFIX}/${run}`,
      status: result.commit ? "written" : "unchanged",
      commit: result.commit,
      written: result.written,
      unchanged: result.unchanged,
    };
    runs.push(published);
    options.onRun?.(published);
  }
  return { world, backend: publisher.backend, target: publisher.target, runs, skipped };
}

/** Every file of a settled run folder, runtime bookkeeping (`.locks/`, `.attempts/`) left out. */
export async function runUnit(world: string, run: string): Promise<PublishUnit> {
  const root = join(world, run);
  const entries = [];
  for await (const entry of walkEntries(root)) {
    if (entry.rel.startsWith(".")) continue;
    if (!entry.dirent.isFile())
      throw new SigilError("ERR_VERIFY_LINK", `${run}/${entry.rel} is not a regular file`);
    entries.push(entry);
  }
  entries.sort((a, b) => compare(a.rel, b.rel));
  const files: PublishFile[] = [];
  for (const entry of entries) {
    files.push({
      path: `${ARTIFACTS_PREFIX}/${run}/${entry.rel}`,
      bytes: new Uint8Array(await readFile(entry.path)),
    });
  }
  return { message: `Publish run ${run}\n\nsigil publish: every file of the settled run ${run}.`, files };
}
