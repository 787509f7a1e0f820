import { isoUtc, sha256Hex } from "../../core/index.js";
import type { RunContext } from "../context.js";
import type { OrchestratorDeps } from "../deps.js";
import { finalDocName } from "../kb/paths.js";
import { renderFinalReport } from "../kb/report.js";
import { runsIndexLine } from "../kb/runs-index.js";
import { closeoutKey } from "../keys.js";
import type { Pipeline } from "../pipeline.js";
import { writeRunContext } from "../sidecar.js";
import { lint, upload, upsertStep } from "./common.js";

/** Closeout: the final report and the runs-index line in one commit, then the closeout key. */
export async function closeout(run: RunContext, pipeline: Pipeline, deps: OrchestratorDeps): Promise<void> {
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
