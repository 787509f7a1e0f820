import { z } from "zod";

export const Mode = z.enum(["mock", "real"]);
export type Mode = z.infer<typeof Mode>;

const JsonObject = z.record(z.string(), z.unknown());

/** Inputs payload, schema v1 (docs/contracts/inputs.md). Unknown top-level keys are refused. */
export const InputsV1 = z.strictObject({
  schema: z.literal("v1"),
  model: z.string().optional(),
  params: JsonObject.optional(),
  files: JsonObject.optional(),
  mode: Mode.optional(),
});
export type InputsV1 = z.infer<typeof InputsV1>;

export const HASH_SCHEMA = "jcs-sha256-v1";

export const InputsHash = z.strictObject({
  value: z.string().regex(/^[0-9a-f]{64}$/),
  hash_schema: z.literal(HASH_SCHEMA),
});
export type InputsHash = z.infer<typeof InputsHash>;
