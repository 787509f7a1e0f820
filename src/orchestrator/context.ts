import { z } from "zod";

/** The run states `sigil orchestrate status` reports; `stopped` carries one of STOP_CODES. */
export const RunState = z.enum(["running", "waiting_gate", "stopped", "complete"]);
export type RunState = z.infer<typeof RunState>;

/** Stop codes are run states a human resolves, not errors (docs/orchestrator.md). */
export const StopCode = z.enum(["STOP_KB_UPLOAD", "STOP_REPLAY_CONFLICT", "STOP_BETWEEN_LEGS"]);
export type StopCode = z.infer<typeof StopCode>;

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

/** The digests a run pins as it goes; re-validated at every gate. */
export const ContextPins = z.strictObject({
  manifest_digest: Hex64.nullable(),
  region_sha: Hex64.nullable(),
  writer_digest: Hex64.nullable(),
  change_set_id: Uuid.nullable(),
});
export type ContextPins = z.infer<typeof ContextPins>;

export const ApprovalRecord = z.strictObject({
  gate: z.string(),
  method: z.enum(["ssh-signature", "pull-request-review"]),
  approver: z.string(),
  request_sha256: Hex64,
  /** sha256 of what was verified (signed file + signature, or the review): the single-use id. */
  approval_digest: Hex64,
  review_id: z.number().int().nullable(),
  commit_sha: z.string().nullable(),
  approved_at: z.string(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

export const StepRecord = z.strictObject({
  index: z.number().int().nonnegative(),
  kind: z.enum(["phase", "gate", "final"]),
  name: z.string(),
  doc_path: z.string(),
  doc_sha256: Hex64,
  doc_bytes: z.number().int().nonnegative(),
  production_mutation: z.boolean(),
  uploaded: z.boolean(),
  outcome: z.enum(["PASS", "FAIL", "WAITING", "APPROVED"]),
  /** Phases only: the idempotency key and the payload digest it chains. */
  key: Hex64.nullable(),
  payload_sha: Hex64.nullable(),
  /** Phases only: the payload, so a resumed run renders the same doc without re-running work. */
  payload: z.unknown(),
  approval: ApprovalRecord.nullable(),
  /** Gates only: the request PR, on GitHub. */
  request_ref: z
    .strictObject({
      number: z.number().int(),
      head_sha: z.string(),
      branch: z.string(),
      /** The base the request PR was opened against (optional: sidecars before it stay valid). */
      base_ref: z.string().optional(),
      /** When the request PR was opened: its expiry counts from here. */
      opened_at: z.string().optional(),
      /** When the approved request was recorded on the KB branch and its PR closed. */
      settled_at: z.string().optional(),
    })
    .nullable(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const RunContext = z.strictObject({
  schema: z.literal("sigil.orchestrator.run/v1"),
  run_id: Uuid,
  pipeline: z.string(),
  subject_id: z.string(),
  source_path: z.string(),
  source_version_id: Hex64,
  space: z.string(),
  kb_folder: z.string(),
  /** YYYY-MM-DD of the start, the date in every doc name of the run. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  started_at: z.string(),
  actor: z.string(),
  state: RunState,
  stop: z
    .strictObject({ code: StopCode, detail: z.string(), pinned: z.record(z.string(), z.string()) })
    .nullable(),
  context_pins: ContextPins,
  /** Ids minted inside phases, persisted before use so a re-run phase mints the same ones. */
  minted: z.record(z.string(), z.record(z.string(), Uuid)),
  steps: z.array(StepRecord),
  closeout_key: Hex64.nullable(),
  closed_at: z.string().nullable(),
});
export type RunContext = z.infer<typeof RunContext>;
