import { isoUtc, SigilError, sha256Hex } from "../../core/index.js";
import type { ContextPins, RunContext, StepRecord } from "../context.js";
import type { OrchestratorDeps } from "../deps.js";
import { gateDocName } from "../kb/paths.js";
import { renderGateRequest } from "../kb/report.js";
import type { GateStep, Pipeline } from "../pipeline.js";
import { writeRunContext } from "../sidecar.js";
import { uploadWithRetry } from "../upload.js";
import { lint, readSource, stop, upsertStep } from "./common.js";

/** A gate: open its request once, then advance only on an approval the backend decides now. */
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

export async function runGate(
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
    const bytes = requestBytes(run, gate, index, record);
    const opened = await requestWrite(run, deps, record, () =>
      deps.gates.openRequest({ run, gate, path: record.doc_path, bytes }),
    );
    if (!opened.ok) return false;
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
  return settleGate(run, deps, index, gate);
}

/**
 * An approved request that lives outside the KB branch (a request PR on GitHub) is recorded on
 * the KB branch, and its PR closed, before the run goes on; the engine calls this for every
 * approved gate it passes, so a settlement cut short by a crash or an upload failure is redone.
 */
export async function settleGate(
  run: RunContext,
  deps: OrchestratorDeps,
  index: number,
  gate: GateStep,
): Promise<boolean> {
  const record = run.steps.find((s) => s.index === index);
  const ref = record?.request_ref;
  if (!record || !ref || ref.settled_at || !record.approval || !deps.gates.settleRequest) return true;
  const bytes = requestBytes(run, gate, index, record);
  const settle = deps.gates.settleRequest;
  const settled = await requestWrite(run, deps, record, () => settle({ run, gate, step: record, bytes }));
  if (!settled.ok) return false;
  ref.settled_at = isoUtc(deps.clock.nowMs());
  await writeRunContext(deps.root, run);
  return true;
}

/** The gate's request doc, rendered again: the bytes its digest was recorded for, or ERR_ORCH_CONTEXT. */
function requestBytes(run: RunContext, gate: GateStep, index: number, record: StepRecord): Buffer {
  const bytes = Buffer.from(
    renderGateRequest(
      run,
      gate,
      run.steps.filter((s) => s.index < index),
    ),
  );
  if (sha256Hex(bytes) !== record.doc_sha256)
    throw new SigilError("ERR_ORCH_CONTEXT", `${gate.id}: the request doc no longer renders the same`);
  return bytes;
}

/**
 * A write of the gate's request (opening it, settling it) with the upload retries; when it still
 * fails the run stops: STOP_REPLAY_CONFLICT on a conflict, else STOP_KB_UPLOAD.
 */
async function requestWrite<T>(
  run: RunContext,
  deps: OrchestratorDeps,
  record: StepRecord,
  write: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  const outcome = await uploadWithRetry(write, deps.sleep).catch((error: unknown) => ({
    ok: false as const,
    error: SigilError.from(error, "ERR_INTERNAL"),
    attempts: 1,
  }));
  if (outcome.ok) return outcome;
  const code = outcome.error.code === "ERR_PUBLISH_CONFLICT" ? "STOP_REPLAY_CONFLICT" : "STOP_KB_UPLOAD";
  await stop(run, deps, code, `${record.doc_path}: ${outcome.error.message}`);
  return { ok: false };
}
