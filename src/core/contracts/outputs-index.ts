import { z } from "zod";

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "sha256 hex");

/** One line of `outputs.json` (and of a manifest's outputs). */
export const OutputEntry = z.strictObject({
  path: z.string().min(1),
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
});
export type OutputEntry = z.infer<typeof OutputEntry>;

/** `outputs.json`: sorted by path, unique paths. */
export const OutputsIndex = z
  .array(OutputEntry)
  .refine((items) => items.every((item, i) => i === 0 || (items[i - 1]?.path ?? "") < item.path), {
    message: "outputs index must be sorted by path with unique paths",
  });
export type OutputsIndex = z.infer<typeof OutputsIndex>;
