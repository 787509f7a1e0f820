import { canonicalize, type JsonValue, newUuid7, SigilError, sha256Hex } from "../../core/index.js";
import type { ContextPins, RunContext, StepRecord } from "../context.js";
import type { OrchestratorDeps } from "../deps.js";
import { phaseDocName } from "../kb/paths.js";
import { renderPhaseDoc } from "../kb/report.js";
import { firstKey, nextKey } from "../keys.js";
import type { PhaseStep, Pipeline } from "../pipeline.js";
import { writeRunContext } from "../sidecar.js";
import { lint, readSource, stop, upload, upsertStep } from "./common.js";

/** A phase: run it (minting ids before use), chain its key, render, lint and upload its doc. */
function applyPins(run: RunContext, pins: Partial<ContextPins> | undefined): void {
  for (const [name, value] of Object.entries(pins ?? {}) as [keyof ContextPins, string | null][]) {
    const current = run.context_pins[name];
    if (current !== null && current !== value)
      throw new SigilError("ERR_ORCH_PINS", `${name} was pinned as ${current}, the phase now says ${value}`);
    run.context_pins[name] = value;
  }
}

export async function runPhase(
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
