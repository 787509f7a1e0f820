import { type Clock, isoUtc } from "../core/index.js";
import { type GovernancePublisher, verifyLocalApproval } from "../governance/index.js";
import { type GateBackend, publishRequestDoc } from "./gates.js";

/**
 * Gates on the local governance repository: the request doc is committed to the KB, and a gate
 * opens only on a signed approval file of a sovereign (`sovereigns.ssh_keys`, default branch).
 */
export function createLocalGateBackend(options: {
  publisher: GovernancePublisher;
  /** Read at decision time, so a policy change applies to the next decision. */
  allowedSigners: () => Promise<readonly string[]>;
  clock: Clock;
}): GateBackend {
  return {
    kind: "local",
    openRequest: (input) => publishRequestDoc(options.publisher, input),
    decide: async ({ run, gate, step }) => {
      const verified = await verifyLocalApproval({
        publisher: options.publisher,
        requestPath: step.doc_path,
        expected: { run_id: run.run_id, gate: gate.id, request_sha256: step.doc_sha256 },
        allowedSigners: await options.allowedSigners(),
      });
      return {
        gate: gate.id,
        method: "ssh-signature",
        approver: verified.approval.approver,
        request_sha256: verified.approval.request_sha256,
        approval_digest: verified.approval_digest,
        review_id: null,
        commit_sha: null,
        approved_at: isoUtc(options.clock.nowMs()),
      };
    },
  };
}
