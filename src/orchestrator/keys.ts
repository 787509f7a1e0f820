import { SigilError, sha256Hex } from "../core/index.js";

/**
 * Idempotency keys of an orchestrator run (docs/orchestrator.md): `||` is plain concatenation of
 * the UTF-8 strings; every key is 64 lowercase hex characters.
 */
export function firstKey(subjectId: string, sourceVersionId: string): string {
  return sha256Hex(`${subjectId}${sourceVersionId}`);
}

export function nextKey(prevKey: string, phasePayloadSha: string): string {
  return sha256Hex(`${prevKey}${phasePayloadSha}`);
}

export function closeoutKey(priorKeys: readonly string[], finalReportSha: string): string {
  return sha256Hex(`${priorKeys.join("")}${finalReportSha}`);
}

/** One persisted link of the chain: the key and the payload digest it was made from. */
export interface KeyLink {
  readonly name: string;
  readonly key: string;
  readonly payload_sha: string;
}

/**
 * Checks persisted keys against what they claim to be made of. Keys are never re-derived to be
 * used: a mismatch means the sidecar was edited or torn, and the run refuses to go on.
 */
export function validateKeyChain(
  subjectId: string,
  sourceVersionId: string,
  links: readonly KeyLink[],
): void {
  let prev: string | undefined;
  for (const link of links) {
    const expected =
      prev === undefined ? firstKey(subjectId, sourceVersionId) : nextKey(prev, link.payload_sha);
    if (expected !== link.key)
      throw new SigilError("ERR_ORCH_CONTEXT", `idempotency key of ${link.name} does not match its chain`, {
        phase: link.name,
      });
    prev = link.key;
  }
}
