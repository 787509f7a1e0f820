import { z } from "zod";

/**
 * What crosses the wire between the ModalAdapter and the rendered `modal_app.py` (docs/modal.md).
 * The call carries no secret: the deployed function gets its secrets from Modal Secrets by name.
 */
export const MODAL_CALL_SCHEMA = "sigil.modal.call/v1";

export interface ModalCallPayload {
  schema: typeof MODAL_CALL_SCHEMA;
  execution_id: string;
  processor_ref: string;
  /** Canonical inputs JSON, exactly what the local adapter would write to the inputs file. */
  inputs_json: string;
  mode: "mock" | "real";
  /** The write prefix relative to the world root; the function recreates it in its own world. */
  world_prefix: string;
  image_digest: string;
  image_tag?: string;
  env_fingerprint: string;
}

/** A file the function brings back, relative to the world root, its bytes in base64. */
export const ReturnedFile = z.strictObject({
  path: z.string().min(1),
  base64: z.string(),
});
export type ReturnedFile = z.infer<typeof ReturnedFile>;

/** What the deployed function returns; anything else is ERR_MODAL_PAYLOAD. */
export const ModalCallResult = z.discriminatedUnion("status", [
  z.strictObject({
    status: z.literal("success"),
    execution_id: z.string().min(1),
    files: z.array(ReturnedFile),
  }),
  z.strictObject({
    status: z.literal("error"),
    execution_id: z.string().min(1),
    error: z.strictObject({ code: z.string().min(1), message: z.string() }),
  }),
]);
export type ModalCallResult = z.infer<typeof ModalCallResult>;

/** The entrypoints every rendered app declares, with one signature (`describe`: docs/modal.md). */
export const MODAL_FUNCTIONS = ["run", "mock", "describe"] as const;
export type ModalFunctionName = (typeof MODAL_FUNCTIONS)[number];
