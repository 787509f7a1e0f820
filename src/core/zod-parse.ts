import type { z } from "zod";
import { type ErrorCode, SigilError } from "./errors.js";

/** Parse at the edge: a zod failure becomes a SigilError with the given code and a short reason. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ErrorCode,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const reasons = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
  throw new SigilError(code, `${what}: ${reasons}`);
}
