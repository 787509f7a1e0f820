import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type Clock,
  canonicalize,
  isoUtc,
  type JsonValue,
  newUuid7,
  SigilError,
  sha256Hex,
} from "../core/index.js";
import type { GovernancePublisher } from "../governance/index.js";
import type { ContextPins, RunContext, StepRecord, StopCode } from "./context.js";
import type { GateBackend } from "./gates.js";
import { assertKbDoc, type DocKind } from "./kb/lint.js";
import {
  finalDocName,
  gateDocName,
  kbFolder,
  phaseDocName,
  runSlug,
  SUBJECT_ID,
  subjectFolder,
} from "./kb/paths.js";
import { renderFinalReport, renderGateRequest, renderPhaseDoc } from "./kb/report.js";
import { runsIndexLine } from "./kb/runs-index.js";
import { closeoutKey, firstKey, nextKey, validateKeyChain } from "./keys.js";
import type { Ledger } from "./ledger.js";
import type { GateStep, PhaseStep, Pipeline } from "./pipeline.js";
import { getPipeline } from "./pipelines/index.js";
import { lockRunContext, readRunContext, writeRunContext } from "./sidecar.js";
import { isStepDone, type RunStatus, runStatus } from "./status.js";
import { type Sleep, uploadWithRetry } from "./upload.js";

/** Points a test (or a crash harness) can stop at: after an id is minted, a phase applied, a doc uploaded. */
export type Stage = "minted" | "applied" | "recorded" | "uploaded";

export interface OrchestratorDeps {
  /** The project: sources are read relative to it; sidecars live under its `.sigil/`. */
  readonly root: string;
  readonly publisher: GovernancePublisher;
  readonly ledger: Ledger;
  readonly gates: GateBackend;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly onStage?: (step: string, stage: Stage) => void;
}

export interface StartRequest {
  readonly pipeline: string;
  readonly subjectId: string;
  readonly sourcePath: string;
  readonly space: string;
  readonly actor: string;
}

const dateOf = (ms: number) => isoUtc(ms).slice(0, 10);

async function readSource(root: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(root, path)));
  } catch (error) {
    throw new SigilError("ERR_USAGE", `cannot read the source ${path}: ${(error as Error).message}`);
  }
}

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
    if (isStepDone(run, index)) continue;
    const step = pipeline.steps[index] as PhaseStep | GateStep;
    const go =
      step.kind === "phase"
        ? await runPhase(run, pipeline, deps, index, step)
        : await runGate(run, pipeline, deps, index, step);
    if (!go) return runStatus(pipeline, run);
  }
  await closeout(run, pipeline, deps);
  return runStatus(pipeline, run);
}

async function stop(
  run: RunContext,
  deps: OrchestratorDeps,
  code: StopCode,
  detail: string,
  pinned: Record<string, string> = {},
) {
  run.state = "stopped";
  run.stop = { code, detail, pinned };
  await writeRunContext(deps.root, run);
  return false;
}

function upsertStep(run: RunContext, record: StepRecord): void {
  const at = run.steps.findIndex((s) => s.index === record.index);
  if (at >= 0) run.steps[at] = record;
  else run.steps.push(record);
  run.steps.sort((a, b) => a.index - b.index);
}

function ownIds(run: RunContext): string[] {
  return Object.values(run.minted).flatMap((ids) => Object.values(ids));
}

function lint(run: RunContext, kind: DocKind, path: string, text: string): void {
  assertKbDoc(path, text, {
    kind,
    runId: run.run_id,
    ownIds: ownIds(run),
    folderName: run.kb_folder.split("/").at(-1) ?? "",
  });
}

function applyPins(run: RunContext, pins: Partial<ContextPins> | undefined): void {
  for (const [name, value] of Object.entries(pins ?? {}) as [keyof ContextPins, string | null][]) {
    const current = run.context_pins[name];
    if (current !== null && current !== value)
      throw new SigilError("ERR_ORCH_PINS", `${name} was pinned as ${current}, the phase now says ${value}`);
    run.context_pins[name] = value;
  }
}

async function runPhase(
  run: RunContext,
  pipeline: Pipeline,
  deps: OrchestratorDeps,
  index: number,
  step: PhaseStep,
): Promise<boolean> {
  const earlier = run.steps.find((s) => s.index === index);
  if (earlier?.uploaded && earlier.outcome === "FAIL")
    throw new SigilError(
      "ERR_ORCH_STATE",
      `phase ${step.name} failed its invariants: see ${earlier.doc_path}`,
    );
  const phaseList = pipeline.steps.filter((s) => s.kind === "phase");
  const nn = phaseList.indexOf(step) + 1;
  const source = await readSource(deps.root, run.source_path);
  let result: Awaited<ReturnType<PhaseStep["run"]>>;
  try {
    result = await step.run({
      run,
      source,
      pins: { ...run.context_pins },
      ledger: deps.ledger,
      payloadOf: (name) => (run.steps.find((s) => s.name === name)?.payload ?? null) as JsonValue,
      mintId: async (label) => {
        const minted = run.minted[step.name]?.[label];
        if (minted) return minted;
        const id = newUuid7(deps.clock);
        run.minted[step.name] = { ...run.minted[step.name], [label]: id };
        await writeRunContext(deps.root, run);
        deps.onStage?.(step.name, "minted");
        return id;
      },
    });
  } catch (error) {
    if (pipeline.betweenLegs.includes(step.name))
      return stop(
        run,
        deps,
        "STOP_BETWEEN_LEGS",
        `${step.name}: ${SigilError.from(error, "ERR_INTERNAL").message}`,
        pipeline.pinnedIds(run),
      );
    throw error;
  }
  deps.onStage?.(step.name, "applied");
  const payloadSha = sha256Hex(canonicalize(result.payload));
  if (earlier?.payload_sha && earlier.payload_sha !== payloadSha)
    return stop(
      run,
      deps,
      "STOP_REPLAY_CONFLICT",
      `${step.name} replayed with a different payload`,
      pipeline.pinnedIds(run),
    );
  const prev = [...run.steps].reverse().find((s) => s.kind === "phase" && s.index < index);
  const key = prev?.key ? nextKey(prev.key, payloadSha) : firstKey(run.subject_id, run.source_version_id);
  applyPins(run, result.pins);
  const path = `${run.kb_folder}/${phaseDocName(nn, step.name, run.date)}`;
  const text = renderPhaseDoc({
    run,
    nn,
    total: phaseList.length + 1,
    name: step.name,
    title: step.title,
    key,
    payloadSha,
    result,
  });
  lint(run, "phase", path, text);
  const bytes = Buffer.from(text);
  const outcome = result.invariants.every((i) => i.ok) ? "PASS" : "FAIL";
  const record: StepRecord = {
    index,
    kind: "phase",
    name: step.name,
    doc_path: path,
    doc_sha256: sha256Hex(bytes),
    doc_bytes: bytes.length,
    production_mutation: result.productionMutation,
    uploaded: false,
    outcome,
    key,
    payload_sha: payloadSha,
    payload: result.payload,
    approval: null,
    request_ref: null,
  };
  upsertStep(run, record);
  await writeRunContext(deps.root, run);
  deps.onStage?.(step.name, "recorded");
  if (
    !(await upload(
      run,
      pipeline,
      deps,
      `orchestrator ${run.run_id}: ${String(nn).padStart(2, "0")} ${step.name}`,
      [{ path, bytes }],
    ))
  )
    return false;
  deps.onStage?.(step.name, "uploaded");
  await deps.ledger.insertOnce("orch_keys", { run_id: run.run_id, phase: step.name, key }, [
    ["run_id", "phase"],
    ["key"],
  ]);
  record.uploaded = true;
  await writeRunContext(deps.root, run);
  if (outcome === "FAIL") {
    if (pipeline.betweenLegs.includes(step.name))
      return stop(
        run,
        deps,
        "STOP_BETWEEN_LEGS",
        `${step.name} failed its invariants`,
        pipeline.pinnedIds(run),
      );
    throw new SigilError("ERR_ORCH_STATE", `phase ${step.name} failed its invariants: see ${path}`);
  }
  return true;
}

async function upload(
  run: RunContext,
  pipeline: Pipeline,
  deps: OrchestratorDeps,
  message: string,
  files: { path: string; bytes: Uint8Array; mode?: "create" | "append" }[],
): Promise<boolean> {
  try {
    const outcome = await uploadWithRetry(() => deps.publisher.publish({ message, files }), deps.sleep);
    if (outcome.ok) return true;
    return stop(
      run,
      deps,
      "STOP_KB_UPLOAD",
      `${files[0]?.path}: ${outcome.attempts} attempts failed: ${outcome.error.message}`,
    );
  } catch (error) {
    return stop(
      run,
      deps,
      "STOP_REPLAY_CONFLICT",
      SigilError.from(error, "ERR_INTERNAL").message,
      pipeline.pinnedIds(run),
    );
  }
}

async function revalidatePins(
  run: RunContext,
  pipeline: Pipeline,
  deps: OrchestratorDeps,
  gate: GateStep,
): Promise<void> {
  const source = await readSource(deps.root, run.source_path);
  const current = await pipeline.currentPins({ run, source, ledger: deps.ledger });
  for (const [name, pinned] of Object.entries(run.context_pins) as [keyof ContextPins, string | null][]) {
    if (pinned !== null && current[name] !== pinned)
      throw new SigilError("ERR_ORCH_PINS", `${gate.id}: ${name} was ${pinned}, is now ${current[name]}`, {
        pin: name,
      });
  }
}

async function runGate(
  run: RunContext,
  pipeline: Pipeline,
  deps: OrchestratorDeps,
  index: number,
  gate: GateStep,
): Promise<boolean> {
  await revalidatePins(run, pipeline, deps, gate);
  let record = run.steps.find((s) => s.index === index);
  if (!record) {
    const path = `${run.kb_folder}/${gateDocName(gate.id, gate.name, run.date)}`;
    const text = renderGateRequest(
      run,
      gate,
      run.steps.filter((s) => s.index < index),
    );
    lint(run, "gate", path, text);
    const bytes = Buffer.from(text);
    record = {
      index,
      kind: "gate",
      name: gate.id,
      doc_path: path,
      doc_sha256: sha256Hex(bytes),
      doc_bytes: bytes.length,
      production_mutation: false,
      uploaded: false,
      outcome: "WAITING",
      key: null,
      payload_sha: null,
      payload: null,
      approval: null,
      request_ref: null,
    };
    upsertStep(run, record);
    await writeRunContext(deps.root, run);
  }
  if (!record.uploaded) {
    const bytes = Buffer.from(
      renderGateRequest(
        run,
        gate,
        run.steps.filter((s) => s.index < index),
      ),
    );
    if (sha256Hex(bytes) !== record.doc_sha256)
      throw new SigilError("ERR_ORCH_CONTEXT", `${gate.id}: the request doc no longer renders the same`);
    const opened = await uploadWithRetry(
      () => deps.gates.openRequest({ run, gate, path: record.doc_path, bytes }),
      deps.sleep,
    ).catch((error: unknown) => ({
      ok: false as const,
      error: SigilError.from(error, "ERR_INTERNAL"),
      attempts: 1,
    }));
    if (!opened.ok) {
      const code = opened.error.code === "ERR_PUBLISH_CONFLICT" ? "STOP_REPLAY_CONFLICT" : "STOP_KB_UPLOAD";
      return stop(run, deps, code, `${record.doc_path}: ${opened.error.message}`);
    }
    record.request_ref = opened.value;
    record.uploaded = true;
    run.state = "waiting_gate";
    await writeRunContext(deps.root, run);
    deps.onStage?.(gate.id, "uploaded");
    return false;
  }
  run.state = "waiting_gate";
  const approval = await deps.gates.decide({ run, gate, step: record });
  await revalidatePins(run, pipeline, deps, gate);
  const landed = await deps.ledger.insertOnce(
    "orch_approvals",
    {
      run_id: run.run_id,
      gate: gate.id,
      approval_digest: approval.approval_digest,
      method: approval.method,
      approver: approval.approver,
      request_sha256: approval.request_sha256,
      review_id: approval.review_id,
      commit_sha: approval.commit_sha,
      approved_at: approval.approved_at,
    },
    approval.review_id === null
      ? [["run_id", "gate"], ["approval_digest"]]
      : [["run_id", "gate"], ["approval_digest"], ["review_id"]],
  );
  if (landed.outcome === "conflict") {
    const same =
      landed.existing?.run_id === run.run_id &&
      landed.existing?.gate === gate.id &&
      landed.existing?.approval_digest === approval.approval_digest;
    if (!same)
      throw new SigilError(
        "ERR_APPROVAL_REPLAYED",
        `${gate.id}: this approval was already used for ${String(landed.existing?.gate)} of run ${String(landed.existing?.run_id)}`,
      );
  }
  record.approval = approval;
  record.outcome = "APPROVED";
  run.state = "running";
  await writeRunContext(deps.root, run);
  return true;
}

async function closeout(run: RunContext, pipeline: Pipeline, deps: OrchestratorDeps): Promise<void> {
  const phaseCount = pipeline.steps.filter((s) => s.kind === "phase").length;
  const nn = phaseCount + 1;
  if (!run.closed_at) {
    run.closed_at = isoUtc(deps.clock.nowMs());
    await writeRunContext(deps.root, run);
  }
  const path = `${run.kb_folder}/${finalDocName(nn, run.date)}`;
  const text = renderFinalReport(pipeline, run, nn);
  lint(run, "final", path, text);
  const bytes = Buffer.from(text);
  const sha = sha256Hex(bytes);
  const keys = run.steps.filter((s) => s.kind === "phase").map((s) => s.key as string);
  run.closeout_key = closeoutKey(keys, sha);
  await writeRunContext(deps.root, run);
  const decision = Object.values(run.minted).find((ids) => ids.decision_id)?.decision_id ?? null;
  const line = runsIndexLine({ ...run, state: "complete" }, decision);
  const indexPath = `knowledge/${run.space}/_orchestrator-runs-index/runs.md`;
  const ok = await upload(run, pipeline, deps, `orchestrator ${run.run_id}: closeout`, [
    { path, bytes },
    { path: indexPath, bytes: Buffer.from(line), mode: "append" },
  ]);
  if (!ok) return;
  deps.onStage?.("final", "uploaded");
  await deps.ledger.insertOnce(
    "orch_closeouts",
    { run_id: run.run_id, closeout_key: run.closeout_key, closed_at: run.closed_at },
    [["run_id"], ["closeout_key"]],
  );
  upsertStep(run, {
    index: pipeline.steps.length,
    kind: "final",
    name: "final-orchestrator-report",
    doc_path: path,
    doc_sha256: sha,
    doc_bytes: bytes.length,
    production_mutation: false,
    uploaded: true,
    outcome: "PASS",
    key: null,
    payload_sha: null,
    payload: null,
    approval: null,
    request_ref: null,
  });
  run.state = "complete";
  await writeRunContext(deps.root, run);
}
