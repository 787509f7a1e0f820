import { z } from "zod";

/**
 * The one JSON line a processor prints on stdout when it ends (its result protocol).
 * The code is a string here: the adapter maps unknown codes to ERR_ADAPTER_INVOCATION.
 */
export const ProcessorStatusLine = z.discriminatedUnion("status", [
  z.object({ status: z.literal("success"), execution_id: z.string().min(1) }),
  z.object({
    status: z.literal("error"),
    execution_id: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type ProcessorStatusLine = z.infer<typeof ProcessorStatusLine>;
