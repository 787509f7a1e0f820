import type { Octokit } from "@octokit/rest";
import { type Clock, SigilError } from "../core/index.js";
import type { ApprovalRecord } from "./context.js";
import { resumeRun } from "./engine.js";
import { openGitHubOrchestrator, recordEditedReview } from "./github.js";
import type { OpenOptions, Orchestrator } from "./open.js";
import { readRunContext } from "./sidecar.js";
import type { RunStatus } from "./status.js";

/** What one review or PR event on a request PR did to its run (docs/app.md "Gates"). */
export type GateDeliveryOutcome =
  | { readonly status: "opened"; readonly approval: ApprovalRecord; readonly run: RunStatus }
  | { readonly status: "refused"; readonly code: string; readonly reasons: readonly string[] }
  | { readonly status: "failed"; readonly code: string; readonly message: string }
  | {
      readonly status:
        | "unknown-run"
        | "not-waiting"
        | "already-open"
        | "not-the-request"
        | "other-kb"
        | "locked";
      readonly detail: string;
    };

export interface GateDelivery {
  readonly root: string;
  readonly owner: string;
  readonly repo: string;
  readonly octokit: Octokit;
  readonly clock: Clock;
  readonly runId: string;
  readonly gate: string;
  /** The PR the delivery names: only "which PR to look at", never a fact of the decision. */
  readonly pullNumber: number;
  /** A `pull_request_review.edited` delivery's review id: recorded, so it never counts. */
  readonly editedReviewId?: number;
  /** Tests and benchmarks swap the opener (its sleep, its clock). */
  readonly open?: (
    options: OpenOptions & { owner: string; repo: string; octokit: Octokit },
  ) => Promise<Orchestrator>;
}

/**
 * A delivery about a request PR: finds the run's sidecar under the root, and when the run waits
 * at that very gate on that very PR, resumes it with the GitHub orchestrator. The gate backend
 * decides from fresh reads; this never writes an approval. A gate already open, an unknown run, or
 * a run another delivery holds is a quiet no-op, so a redelivery advances the run at most once.
 */
export async function advanceOnGateDelivery(delivery: GateDelivery): Promise<GateDeliveryOutcome> {
  let run: Awaited<ReturnType<typeof readRunContext>>;
  try {
    run = await readRunContext(delivery.root, delivery.runId);
  } catch (error) {
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    if (sigil.code === "ERR_ORCH_RUN") return { status: "unknown-run", detail: sigil.message };
    return { status: "failed", code: sigil.code, message: sigil.message };
  }
  const record = run.steps.find((s) => s.kind === "gate" && s.name === delivery.gate);
  if (record?.outcome === "APPROVED")
    return { status: "already-open", detail: `${delivery.gate} of run ${run.run_id} is already open` };
  if (!record?.request_ref || record.request_ref.number !== delivery.pullNumber)
    return {
      status: "not-the-request",
      detail: `PR #${delivery.pullNumber} is not the request PR of ${delivery.gate} of run ${run.run_id}`,
    };
  const open = delivery.open ?? openGitHubOrchestrator;
  let orch: Orchestrator;
  try {
    orch = await open({
      root: delivery.root,
      owner: delivery.owner,
      repo: delivery.repo,
      octokit: delivery.octokit,
      clock: delivery.clock,
    });
  } catch (error) {
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    return { status: "failed", code: sigil.code, message: sigil.message };
  }
  try {
    try {
      await orch.assertRunKb(run.run_id);
    } catch (error) {
      return { status: "other-kb", detail: SigilError.from(error, "ERR_INTERNAL").message };
    }
    if (delivery.editedReviewId !== undefined)
      await recordEditedReview(orch.deps.ledger, delivery.pullNumber, delivery.editedReviewId);
    if (run.state !== "waiting_gate")
      return { status: "not-waiting", detail: `run ${run.run_id} is ${run.state}` };
    const status = await resumeRun(run.run_id, orch.deps);
    const after = await readRunContext(delivery.root, run.run_id);
    const approval = after.steps.find((s) => s.kind === "gate" && s.name === delivery.gate)?.approval;
    if (approval) return { status: "opened", approval, run: status };
    return { status: "failed", code: "ERR_ORCH_STATE", message: `run ${run.run_id} is ${status.state}` };
  } catch (error) {
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    if (sigil.code === "ERR_ORCH_LOCKED") return { status: "locked", detail: sigil.message };
    if (sigil.code.startsWith("ERR_APPROVAL_")) {
      const listed = sigil.details.reasons;
      const reasons = Array.isArray(listed) ? listed.map(String) : [sigil.message];
      return { status: "refused", code: sigil.code, reasons };
    }
    return { status: "failed", code: sigil.code, message: sigil.message };
  } finally {
    await orch.close();
  }
}
