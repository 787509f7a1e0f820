import { z } from "zod";
import { EnvFingerprint } from "./env-fingerprint.js";
import { HASH_SCHEMA, Mode } from "./inputs.js";
import { OutputsIndex, Sha256 } from "./outputs-index.js";

/** A receipt (docs/contracts/receipts.md), dual-written by the processor runtime. */
export const Receipt = z.strictObject({
  execution_id: z.string().min(1),
  processor_ref: z.string().min(1),
  image_digest: z.string().min(1),
  image_tag: z.string().optional(),
  env_fingerprint: EnvFingerprint,
  inputs_hash: Sha256,
  hash_schema: z.literal(HASH_SCHEMA),
  outputs_index: OutputsIndex,
  processor_info: z.string(),
  usage: z.record(z.string(), z.unknown()),
  extra: z.record(z.string(), z.unknown()).optional(),
  timestamp_utc: z.string(),
  duration_ms: z.number().int().nonnegative(),
  mode: Mode,
});
export type Receipt = z.infer<typeof Receipt>;

/** Fields that must be equal across identical runs; the rest are runtime facts. */
export const STABLE_RECEIPT_FIELDS = [
  "processor_ref",
  "image_digest",
  "env_fingerprint",
  "inputs_hash",
  "hash_schema",
  "outputs_index",
  "mode",
] as const satisfies readonly (keyof Receipt)[];

export function stableReceiptFields(receipt: Receipt): Pick<Receipt, (typeof STABLE_RECEIPT_FIELDS)[number]> {
  const { processor_ref, image_digest, env_fingerprint, inputs_hash, hash_schema, outputs_index, mode } =
    receipt;
  return { processor_ref, image_digest, env_fingerprint, inputs_hash, hash_schema, outputs_index, mode };
}
