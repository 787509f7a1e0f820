import type { GovernancePublisher } from "../governance/index.js";
import type { ApprovalRecord, RunContext, StepRecord } from "./context.js";
import type { GateStep } from "./pipeline.js";

/**
 * Where gate requests go and how approvals are decided: the local governance repository (a
 * request doc plus a signed approval file) or GitHub (a request PR and its reviews).
 */
export interface GateBackend {
  readonly kind: "local" | "github";
  /** Publishes the request doc; returns the request PR on GitHub, null locally. */
  openRequest(input: {
    run: Readonly<RunContext>;
    gate: GateStep;
    path: string;
    bytes: Uint8Array;
  }): Promise<StepRecord["request_ref"]>;
  /** Decides from fresh reads; throws an ERR_APPROVAL_* SigilError when the gate stays closed. */
  decide(input: { run: Readonly<RunContext>; gate: GateStep; step: StepRecord }): Promise<ApprovalRecord>;
  /**
   * After the gate opened, when the request lives outside the KB branch (GitHub): commits the
   * request doc to the KB branch, as the local backend did on opening, and closes the request PR
   * naming the approval. Idempotent: the engine repeats it until it is recorded as settled.
   */
  settleRequest?(input: {
    run: Readonly<RunContext>;
    gate: GateStep;
    step: StepRecord;
    bytes: Uint8Array;
  }): Promise<void>;
}

/** The local backend's request: one commit of the doc on the KB branch. */
export async function publishRequestDoc(
  publisher: GovernancePublisher,
  input: { run: Readonly<RunContext>; gate: GateStep; path: string; bytes: Uint8Array },
): Promise<null> {
  await publisher.publish({
    message: `orchestrator ${input.run.run_id}: ${input.gate.id} ${input.gate.name} authorization request`,
    files: [{ path: input.path, bytes: input.bytes }],
  });
  return null;
}
