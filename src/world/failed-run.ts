import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { canonicalBytes, parseJsonStrict, Sha256, writeFileAtomic } from "../core/index.js";

/**
 * `failed.json`: what a governed run whose execution failed leaves in its run directory (no
 * manifest), so readers of the World can tell a failed run from a corrupt or interrupted one.
 * The next proposal of the same run clears it before it executes again (src/jobs/run-lifecycle.ts).
 */
export const FAILED_FILE = "failed.json";

export const FailedRecord = z.strictObject({
  schema: z.literal("sigil.failed/v1"),
  job_id: z.string().min(1),
  run_id: z.string().min(1),
  inputs_hash: Sha256,
  code: z.string().regex(/^ERR_[A-Z_]+$/),
  message: z.string(),
  execution_id: z.string().min(1).optional(),
  failed_at: z.string(),
});
export type FailedRecord = z.infer<typeof FailedRecord>;

export async function writeFailedRecord(runDir: string, record: FailedRecord): Promise<void> {
  await writeFileAtomic(join(runDir, FAILED_FILE), canonicalBytes(FailedRecord.parse(record)));
}

/** The failure record of a run: undefined when there is none, "invalid" when it does not parse. */
export function readFailedRecord(runDir: string): FailedRecord | "invalid" | undefined {
  let text: string;
  try {
    text = readFileSync(join(runDir, FAILED_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return "invalid";
  }
  try {
    const parsed = FailedRecord.safeParse(parseJsonStrict(text));
    return parsed.success ? parsed.data : "invalid";
  } catch {
    return "invalid";
  }
}
