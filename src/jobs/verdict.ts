import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { canonicalBytes, parseJsonStrict, parseWith, SigilError, sha256Hex } from "../core/index.js";
import type { Manifest } from "../world/index.js";

/**
 * A job type that judges something (a compliance review) says so in one generic output, so the
 * job runner can report the verdict without knowing the job type: `outputs/verdict.json`.
 */
export const VERDICT_OUTPUT = "outputs/verdict.json";

export const VerdictValue = z.enum(["PASS", "FAIL"]);
export type VerdictValue = z.infer<typeof VerdictValue>;

export const VerdictFile = z.strictObject({ schema: z.literal("sigil.verdict/v1"), verdict: VerdictValue });

/** The bytes of `outputs/verdict.json` (canonical JSON, so they are stable across runs). */
export function verdictBytes(verdict: VerdictValue): Buffer {
  return canonicalBytes({ schema: "sigil.verdict/v1", verdict });
}

/**
 * The verdict of a settled run, or undefined when its job type gives none. Read from the bytes
 * the manifest records (hash checked), so a replay reports exactly what the run decided.
 */
export async function readVerdict(runDir: string, manifest: Manifest): Promise<VerdictValue | undefined> {
  const entry = manifest.outputs.find((o) => o.path === VERDICT_OUTPUT);
  if (!entry) return undefined;
  const bytes = await readFile(join(runDir, VERDICT_OUTPUT));
  if (sha256Hex(bytes) !== entry.sha256) {
    throw new SigilError("ERR_RUN_CORRUPT", `${join(runDir, VERDICT_OUTPUT)} differs from its manifest`);
  }
  let value: unknown;
  try {
    value = parseJsonStrict(bytes.toString("utf8"));
  } catch (error) {
    throw new SigilError("ERR_RUN_CORRUPT", `${VERDICT_OUTPUT}: ${(error as Error).message}`);
  }
  return parseWith(VerdictFile, value, "ERR_RUN_CORRUPT", VERDICT_OUTPUT).verdict;
}
