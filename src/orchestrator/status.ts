import type { RunContext, RunState, StopCode } from "./context.js";
import type { Pipeline } from "./pipeline.js";

/** What `sigil orchestrate status --json` prints (docs/orchestrator.md). */
export interface RunStatus {
  run_id: string;
  state: RunState;
  /** The step the run is at: the next one to do, or the last one when complete. */
  phase: string | null;
  /** The gate the run waits at (`SG1`…), else null. */
  gate: string | null;
  request_path: string | null;
  request_sha256: string | null;
  stop_code: StopCode | null;
  stop_detail: string | null;
  kb_folder: string;
  replayed_from?: string;
}

export function isStepDone(run: Readonly<RunContext>, index: number): boolean {
  const record = run.steps.find((s) => s.index === index);
  if (!record) return false;
  if (record.kind === "gate") return record.outcome === "APPROVED";
  return record.uploaded && record.outcome === "PASS";
}

export function runStatus(pipeline: Pipeline, run: Readonly<RunContext>): RunStatus {
  const next = pipeline.steps.findIndex((_, i) => !isStepDone(run, i));
  const step = next < 0 ? undefined : pipeline.steps[next];
  const waiting = run.state === "waiting_gate" && step?.kind === "gate" ? step : undefined;
  const record = waiting ? run.steps.find((s) => s.index === next) : undefined;
  const name = step ? (step.kind === "phase" ? step.name : step.id) : "final-orchestrator-report";
  return {
    run_id: run.run_id,
    state: run.state,
    phase: name,
    gate: waiting?.id ?? null,
    request_path: record?.doc_path ?? null,
    request_sha256: record?.doc_sha256 ?? null,
    stop_code: run.stop?.code ?? null,
    stop_detail: run.stop?.detail ?? null,
    kb_folder: run.kb_folder,
  };
}
