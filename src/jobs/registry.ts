import { SigilError } from "../core/index.js";
import type { JobType } from "./job-type.js";
import { complianceReview } from "./types/compliance-review.js";
import { instagramCopy } from "./types/instagram-copy.js";

/**
 * The one job registry (docs/contracts/jobs.md): explicit, code-defined. A job type exists because it is
 * listed here; nothing is ever imported by a string from a brief.
 */
export const JOB_TYPES: ReadonlyMap<string, JobType> = new Map(
  [instagramCopy, complianceReview].map((type) => [type.id, type]),
);

export function lookupJobType(id: string): JobType {
  const found = JOB_TYPES.get(id);
  if (!found) {
    throw new SigilError(
      "ERR_JOB_TYPE",
      `${JSON.stringify(id)} (known: ${[...JOB_TYPES.keys()].sort().join(", ")})`,
    );
  }
  return found;
}
