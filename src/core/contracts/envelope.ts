import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "../errors.js";
import { EnvFingerprint } from "./env-fingerprint.js";

const ErrorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]);
const WorldPath = z.string().startsWith("world://");

/** The canonical envelope every adapter returns (docs/contracts/envelope.md). */
export const SuccessEnvelope = z.strictObject({
  status: z.literal("success"),
  execution_id: z.string().min(1),
  outputs: z.array(z.strictObject({ path: WorldPath })),
  index_path: WorldPath.refine((p) => p.endsWith("/outputs.json"), "index_path must end with /outputs.json"),
  meta: z.strictObject({
    env_fingerprint: EnvFingerprint,
    image_digest: z.string().min(1),
    image_tag: z.string().optional(),
  }),
});

export const ErrorEnvelope = z.strictObject({
  status: z.literal("error"),
  execution_id: z.string().min(1),
  error: z.strictObject({ code: ErrorCodeSchema, message: z.string() }),
  meta: z.strictObject({ env_fingerprint: EnvFingerprint.or(z.literal("")) }),
});

export const Envelope = z.discriminatedUnion("status", [SuccessEnvelope, ErrorEnvelope]);
export type SuccessEnvelope = z.infer<typeof SuccessEnvelope>;
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
export type Envelope = z.infer<typeof Envelope>;
