import { ERROR_TABLE, type ErrorCode } from "../../core/index.js";

/** The codes a verifier finding can carry; each is in the one error table with its fragment. */
export const FINDING_CODES = [
  "ERR_VERIFY_MANIFEST",
  "ERR_VERIFY_LOCATION",
  "ERR_VERIFY_SNAPSHOT_MISSING",
  "ERR_VERIFY_SNAPSHOT_HASH",
  "ERR_VERIFY_SNAPSHOT_UNDECLARED",
  "ERR_VERIFY_INPUTS_HASH",
  "ERR_VERIFY_RUN_ID",
  "ERR_VERIFY_JOB_ID",
  "ERR_VERIFY_CHAIN",
  "ERR_VERIFY_OUTPUT_MISSING",
  "ERR_VERIFY_OUTPUT_HASH",
  "ERR_VERIFY_OUTPUT_UNDECLARED",
  "ERR_VERIFY_REPLAY",
  "ERR_VERIFY_RECEIPT",
  "ERR_VERIFY_LINK",
  "ERR_VERIFY_RECORD",
  "ERR_VERIFY_HISTORY",
  "ERR_VERIFY_CANONICAL",
  "ERR_VERIFY_INCOMPLETE",
] as const satisfies readonly ErrorCode[];
export type FindingCode = (typeof FINDING_CODES)[number];

/** One violation: which run, what rule, what was expected and what is there. */
export interface Finding {
  code: FindingCode;
  /** `<job_id>/<run_id>` relative to the world root. */
  run: string;
  message: string;
  path?: string;
  expected?: string;
  observed?: string;
}

export function finding(
  code: FindingCode,
  run: string,
  detail: string,
  extra: Omit<Finding, "code" | "run" | "message"> = {},
): Finding {
  return { code, run, message: `${ERROR_TABLE[code]}: ${detail}`, ...extra };
}
