import { isoUtc, newUuid7, SigilError, sha256Hex } from "../core/index.js";
import type { GovernancePublisher } from "../governance/index.js";
import type { RunContext } from "./context.js";
import type { OrchestratorDeps, StartRequest } from "./deps.js";
import { kbFolder, runSlug, SUBJECT_ID, subjectFolder } from "./kb/paths.js";
import { validateKeyChain } from "./keys.js";
import type { GateStep, PhaseStep, Pipeline } from "./pipeline.js";
import { getPipeline } from "./pipelines/index.js";
import { lockRunContext, readRunContext, writeRunContext } from "./sidecar.js";
import { isStepDone, type RunStatus, runStatus } from "./status.js";
import { closeout } from "./steps/closeout.js";
import { readSource } from "./steps/common.js";
import { runGate, settleGate } from "./steps/gate.js";
import { runPhase } from "./steps/phase.js";

export type { OrchestratorDeps, Stage, StartRequest } from "./deps.js";

const dateOf = (ms: number) => isoUtc(ms).slice(0, 10);

/** Starts a run and advances it to its first gate (or its end). */
export async function startRun(request: StartRequest, deps: OrchestratorDeps): Promise<RunStatus> {
  const pipeline = getPipeline(request.pipeline);
  if (!SUBJECT_ID.test(request.subjectId))
    throw new SigilError(
      "ERR_USAGE",
      `--subject ${JSON.stringify(request.subjectId)}: lowercase letters, digits and dashes`,
    );
  const source = await readSource(deps.root, request.sourcePath);
  const sourceVersionId = sha256Hex(source);
  await deps.ledger.db.exec(pipeline.ledgerSchema);
  const now = deps.clock.nowMs();
  const runId = newUuid7(deps.clock);
  const folder = await pickFolder(deps.publisher, request, sourceVersionId, pipeline.name, now);
  const run: RunContext = {
    schema: "sigil.orchestrator.run/v1",
    run_id: runId,
    pipeline: pipeline.name,
    subject_id: request.subjectId,
    source_path: request.sourcePath,
    source_version_id: sourceVersionId,
    space: request.space,
    kb_folder: folder,
    date: dateOf(now),
    started_at: isoUtc(now),
    actor: request.actor,
    state: "running",
    stop: null,
    context_pins: { manifest_digest: null, region_sha: null, writer_digest: null, change_set_id: null },
    minted: {},
    steps: [],
    closeout_key: null,
    closed_at: null,
  };
  const claim = await deps.ledger.insertOnce(
    "orch_runs",
    {
      run_id: runId,
      subject_id: request.subjectId,
      source_version_id: sourceVersionId,
      pipeline: pipeline.name,
    },
    [["run_id"]],
  );
  if (claim.outcome !== "inserted") {
    const replay = await replayOf(run, deps, pipeline);
    if (replay) return replay;
    const [live] = await deps.ledger.select("orch_runs", {
      subject_id: request.subjectId,
      source_version_id: sourceVersionId,
      voided: false,
    });
    run.state = "stopped";
    run.stop = {
      code: "STOP_REPLAY_CONFLICT",
      detail: `subject ${request.subjectId} at this source version already has run ${String(live?.run_id)}`,
      pinned: { conflicting_run_id: String(live?.run_id) },
    };
    await writeRunContext(deps.root, run);
    return runStatus(pipeline, run);
  }
  await writeRunContext(deps.root, run);
  return withLock(deps, runId, () => advance(run, pipeline, deps));
}

/** Resumes a run: past an approved gate, after a crash, or after a failed upload. */
export async function resumeRun(runId: string, deps: OrchestratorDeps): Promise<RunStatus> {
  return withLock(deps, runId, async () => {
    const run = await readRunContext(deps.root, runId);
    const pipeline = getPipeline(run.pipeline);
    if (run.state === "complete") return runStatus(pipeline, run);
    if (run.state === "stopped") {
      if (run.stop?.code !== "STOP_KB_UPLOAD")
        throw new SigilError(
          "ERR_ORCH_STATE",
          `run ${runId} stopped with ${run.stop?.code}: a human resolves it`,
          {
            stop: run.stop,
          },
        );
      run.state = "running";
      run.stop = null;
    }
    await deps.ledger.db.exec(pipeline.ledgerSchema);
    return advance(run, pipeline, deps);
  });
}

export async function statusOfRun(root: string, runId: string): Promise<RunStatus> {
  const run = await readRunContext(root, runId);
  return runStatus(getPipeline(run.pipeline), run);
}

async function withLock<T>(deps: OrchestratorDeps, runId: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockRunContext(deps.root, runId);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

async function pickFolder(
  publisher: GovernancePublisher,
  request: StartRequest,
  sourceVersionId: string,
  pipeline: string,
  now: number,
): Promise<string> {
  const existing = await publisher.list(subjectFolder(request.space, request.subjectId));
  const first = kbFolder(request.space, request.subjectId, sourceVersionId, runSlug(pipeline, now, false));
  const taken = existing.some((p) => p.startsWith(`${first}/`));
  return taken
    ? kbFolder(request.space, request.subjectId, sourceVersionId, runSlug(pipeline, now, true))
    : first;
}

/** A second proposal of a complete run is a no-op when every layer agrees it is done. */
async function replayOf(
  run: RunContext,
  deps: OrchestratorDeps,
  pipeline: Pipeline,
): Promise<RunStatus | null> {
  const [live] = await deps.ledger.select("orch_runs", {
    subject_id: run.subject_id,
    source_version_id: run.source_version_id,
    voided: false,
  });
  if (!live) return null;
  const previous = await readRunContext(deps.root, String(live.run_id)).catch(() => null);
  if (previous?.state !== "complete" || previous.pipeline !== pipeline.name) return null;
  const final = previous.steps.find((s) => s.kind === "final");
  const [closeout] = await deps.ledger.select("orch_closeouts", { run_id: previous.run_id });
  const bytes = final ? await deps.publisher.read(final.doc_path) : null;
  if (!final || !bytes || sha256Hex(bytes) !== final.doc_sha256) return null;
  if (!closeout || closeout.closeout_key !== previous.closeout_key) return null;
  return { ...runStatus(pipeline, previous), replayed_from: previous.run_id };
}

async function advance(run: RunContext, pipeline: Pipeline, deps: OrchestratorDeps): Promise<RunStatus> {
  validateKeyChain(
    run.subject_id,
    run.source_version_id,
    run.steps
      .filter((s) => s.kind === "phase" && s.key && s.payload_sha)
      .map((s) => ({
        name: s.name,
        key: s.key as string,
        payload_sha: s.payload_sha as string,
      })),
  );
  for (let index = 0; index < pipeline.steps.length; index++) {
    const step = pipeline.steps[index] as PhaseStep | GateStep;
    if (isStepDone(run, index)) {
      if (step.kind === "gate" && !(await settleGate(run, deps, index, step)))
        return runStatus(pipeline, run);
      continue;
    }
    const go =
      step.kind === "phase"
        ? await runPhase(run, pipeline, deps, index, step)
        : await runGate(run, pipeline, deps, index, step);
    if (!go) return runStatus(pipeline, run);
  }
  await closeout(run, pipeline, deps);
  return runStatus(pipeline, run);
}
