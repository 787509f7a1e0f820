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
