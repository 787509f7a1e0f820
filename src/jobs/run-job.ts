import { join, resolve } from "node:path";
import {
  type Clock,
  ensureWorldDir,
  isoUtc,
  type Logger,
  type Mode,
  newUuid7,
  SigilError,
  type Spawn,
  systemClock,
} from "../core/index.js";
import { guardTracer, noopTracer, type Trace, type Tracer } from "../observability/index.js";
import { assertCiSafety } from "../run/index.js";
import type { Lane } from "../supply/index.js";
import {
  MANIFEST_FILE,
  type Manifest,
  pathExists,
  type RunIdBase,
  readManifest,
  realpathLenient,
} from "../world/index.js";
import { admitRun } from "./admit.js";
import { loadBrief } from "./brief.js";
import { executeAttempt, loadJobSnapshots } from "./execute.js";
import { recordFailure } from "./failure.js";
import { type ResolvedJob, resolveJob, resolveMode } from "./resolve.js";
import { clearUnsettled, promoteAttempt, tidySettled } from "./run-lifecycle.js";
import { acquireRunLock } from "./run-lock.js";
import { settleRun } from "./settle.js";
import { readVerdict, type VerdictValue } from "./verdict.js";

/** Steps of a proposal, reported to `onPhase` as each completes (crash tests stop here). */
export type JobPhase = "staged" | "claimed" | "locked" | "executed" | "promoted" | "settled";

export interface JobRunRequest {
  /** The brief file, absolute or relative to `cwd`. */
  briefPath: string;
  /** The world root, absolute or relative to `cwd`. */
  world: string;
  /** The --mode flag; the brief's `mode`, then mock, otherwise. */
  mode?: Mode;
}

export interface JobRunDeps {
  repoRoot: string;
  registryDir: string;
  doctrineDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock?: Clock;
  /** Spawns processor processes (the LocalAdapter's port). */
  spawn?: Spawn;
  /** Optional tracing; guarded, so it can fail without failing the run. Shut it down yourself. */
  tracer?: Tracer;
  lane?: Lane;
  /** `owner/repo` whose ghcr.io namespace processor images must be in. */
  repoScope?: string;
  /** How long to wait for another process executing the same run. */
  lockTimeoutMs?: number;
  runIdBase?: RunIdBase;
  onPhase?: (phase: JobPhase) => void | Promise<void>;
  onProcessorLog?: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM: the attempt then fails (failed.json) instead of settling. */
  signal?: AbortSignal;
}

export interface JobRunResult {
  job_id: string;
  job_type: string;
  run_id: string;
  inputs_hash: string;
  mode: Mode;
  world_root: string;
  run_dir: string;
  manifest: Manifest;
  queue_job_id: string;
  /** Set when this proposal executed nothing and returns an existing run. */
  replayed_from?: string;
  /** The run's verdict, for job types that judge (outputs/verdict.json). */
  verdict?: VerdictValue;
  trace_id?: string;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60 * 1000;

/** The same error with run identity attached, so a failed run can be found. */
function withDetails(error: unknown, details: Record<string, unknown>): SigilError {
  return SigilError.from(error, "ERR_INTERNAL").withDetails(details);
}

interface Proposal {
  resolved: ResolvedJob;
  worldRoot: string;
  queueJobId: string;
  startedAt: string;
  trace: Trace;
  log: Logger;
  clock: Clock;
}

function resultOf(p: Proposal, runDir: string, manifest: Manifest, replayed: boolean): JobRunResult {
  return {
    job_id: manifest.job_id,
    job_type: manifest.job_type,
    run_id: manifest.run_id,
    inputs_hash: manifest.inputs_hash,
    mode: p.resolved.mode,
    world_root: p.worldRoot,
    run_dir: runDir,
    manifest,
    queue_job_id: p.queueJobId,
    ...(replayed ? { replayed_from: manifest.run_id } : {}),
    ...(p.trace.traceId ? { trace_id: p.trace.traceId } : {}),
  };
}

function replay(p: Proposal, runDir: string, manifest: Manifest): JobRunResult {
  if (manifest.job_id !== p.resolved.loaded.brief.job_id) {
    throw new SigilError("ERR_RUN_CORRUPT", `${runDir} holds a run of job ${manifest.job_id}`);
  }
  p.log.info({ event: "job.replay", run_id: manifest.run_id, replayed_from: manifest.run_id });
  return resultOf(p, runDir, manifest, true);
}

/** Execute under the run's lock: clear leftovers, run one attempt, promote it, settle. */
async function executeAndSettle(
  p: Proposal,
  admitted: { runId: string; runDir: string; snapshots: Parameters<typeof settleRun>[0]["snapshots"] },
  deps: JobRunDeps,
): Promise<Manifest> {
  const { runDir } = admitted;
  await clearUnsettled(runDir);
  const snapshots = await loadJobSnapshots(runDir);
  const span = p.trace.span("execute", { processor_ref: snapshots.modelConfig.processor.ref });
  p.log.info({ event: "job.execute.start", processor_ref: snapshots.modelConfig.processor.ref });
  const attempt = await executeAttempt(runDir, p.resolved.jobType, snapshots, {
    worldRoot: p.worldRoot,
    repoRoot: deps.repoRoot,
    registryDir: deps.registryDir,
    cwd: deps.cwd,
    env: deps.env,
    logger: p.log,
    clock: p.clock,
    lane: deps.lane ?? "dev",
    ...(deps.repoScope ? { repoScope: deps.repoScope } : {}),
    ...(deps.spawn ? { spawn: deps.spawn } : {}),
    ...(deps.onProcessorLog ? { onProcessorLog: deps.onProcessorLog } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  }).catch((error: unknown) => {
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    span.end({}, { code: sigil.code, message: sigil.message });
    throw error;
  });
  span.end({ execution_id: attempt.executionId });
  await deps.onPhase?.("executed");
  await promoteAttempt(attempt.dir, runDir);
  await deps.onPhase?.("promoted");
  const { prior, doctrine, modelConfig } = snapshots;
  const manifest = await settleRun({
    runDir,
    jobId: snapshots.brief.job_id,
    jobType: snapshots.brief.job_type,
    runId: admitted.runId,
    snapshots: admitted.snapshots,
    doctrine: doctrine
      ? [{ doctrine_id: doctrine.doctrine_id, version: doctrine.version, sha256: doctrine.sha256 }]
      : [],
    processor: modelConfig.processor,
    chain: prior ? [...prior.chain, { job_id: prior.job_id, run_id: prior.run_id }] : [],
    runtime: {
      started_at: p.startedAt,
      finished_at: isoUtc(p.clock.nowMs()),
      queue_job_id: p.queueJobId,
      langfuse_trace_id: p.trace.traceId ?? null,
      execution_id: attempt.executionId,
    },
  });
  await deps.onPhase?.("settled");
  await tidySettled(runDir);
  return manifest;
}

/**
 * Propose → admit → execute → settle (docs/contracts/world.md, docs/contracts/jobs.md) for one brief. A proposal whose run is
 * already settled executes nothing and returns it with `replayed_from`. Throws SigilError.
 */
export async function runJob(request: JobRunRequest, deps: JobRunDeps): Promise<JobRunResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.monotonicMs();
  const queueJobId = newUuid7(clock);
  const startedAt = isoUtc(clock.nowMs());
  let log = deps.logger.child({ queue_job_id: queueJobId });
  const worldRoot = await realpathLenient(resolve(deps.cwd, request.world));
  const loaded = await loadBrief(resolve(deps.cwd, request.briefPath));
  const { job_id: jobId, job_type: jobType } = loaded.brief;
  log = log.child({ job_id: jobId, job_type: jobType });
  // Every event carries the mode; a contradiction between flag and brief is refused just below.
  let proposedMode: Mode | null = null;
  try {
    proposedMode = resolveMode(loaded.brief.mode, request.mode);
  } catch {}
  log.info({ event: "job.propose", brief: loaded.path, mode: proposedMode });
  const resolved = await resolveJob(loaded, {
    worldRoot,
    doctrineDir: deps.doctrineDir,
    registryDir: deps.registryDir,
    repoRoot: deps.repoRoot,
    ...(request.mode ? { flagMode: request.mode } : {}),
    ...(deps.runIdBase ? { runIdBase: deps.runIdBase } : {}),
  });
  assertCiSafety(resolved.mode, deps.env);
  log = log.child({ mode: resolved.mode });

  // Guarded here too: whatever tracer a caller passes cannot fail or change a run.
  const tracer = deps.tracer ? guardTracer(deps.tracer, log) : noopTracer;
  const trace = tracer.startTrace("sigil.job", {
    job_id: jobId,
    job_type: jobType,
    mode: resolved.mode,
    queue_job_id: queueJobId,
  });
  const p: Proposal = { resolved, worldRoot, queueJobId, startedAt, trace, log, clock };
  let runId: string | undefined;
  try {
    await ensureWorldDir(worldRoot);
    const admitSpan = trace.span("admit");
    const admission = await admitRun({
      worldRoot,
      jobId,
      files: resolved.files,
      proposalId: queueJobId,
      ...(deps.runIdBase ? { runIdBase: deps.runIdBase } : {}),
      ...(deps.onPhase ? { onPhase: deps.onPhase } : {}),
    });
    runId = admission.runId;
    p.log = log = log.child({ run_id: runId });
    admitSpan.end({ run_id: runId, inputs_hash: admission.inputsHash, state: admission.kind });
    log.info({ event: "job.admit", inputs_hash: admission.inputsHash, state: admission.kind });

    let result: JobRunResult;
    if (admission.kind === "settled") {
      result = replay(p, admission.runDir, admission.manifest);
    } else {
      const manifestPath = join(admission.runDir, MANIFEST_FILE);
      const outcome = await acquireRunLock(admission.runDir, {
        queueJobId,
        settled: () => pathExists(manifestPath),
        timeoutMs: deps.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        clock,
      });
      if (outcome.kind === "settled") {
        const manifest = await readManifest(admission.runDir);
        if (!manifest) throw new SigilError("ERR_RUN_CORRUPT", `${admission.runDir} lost its manifest`);
        result = replay(p, admission.runDir, manifest);
      } else {
        try {
          await deps.onPhase?.("locked");
          const manifest = await executeAndSettle(p, admission, deps).catch(async (error: unknown) => {
            await recordFailure(
              { jobId, runId: admission.runId, runDir: admission.runDir, inputsHash: admission.inputsHash },
              error,
              { clock, log: p.log },
            );
            throw error;
          });
          result = resultOf(p, admission.runDir, manifest, false);
        } finally {
          await outcome.lock.release();
        }
      }
    }
    const verdict = await readVerdict(result.run_dir, result.manifest);
    if (verdict) result.verdict = verdict;
    trace.end({ run_id: result.run_id, replayed: result.replayed_from !== undefined });
    log.info({
      event: "job.settle",
      status: "success",
      replayed: result.replayed_from !== undefined,
      elapsed_ms: Math.round(clock.monotonicMs() - started),
    });
    return result;
  } catch (error) {
    const sigil = withDetails(error, { job_id: jobId, ...(runId ? { run_id: runId } : {}) });
    trace.end({ ...(runId ? { run_id: runId } : {}) }, { code: sigil.code, message: sigil.message });
    log.error({ event: "job.settle", status: "error", code: sigil.code }, sigil.message);
    throw sigil;
  }
}
