import { z } from "zod";

/** `run_id`: the first 16 hex of inputs_hash, then `-2`, `-3`, … on a true prefix collision. */
export const RUN_ID_HEX = 16;
export const RunId = z.string().regex(/^[0-9a-f]{16}(?:-(?:[2-9]|[1-9][0-9]+))?$/, "run id");

export type RunIdBase = (inputsHash: string) => string;

/** docs/contracts/world.md. Passed around as a port only so a test can force a prefix collision. */
export const deriveRunIdBase: RunIdBase = (inputsHash) => inputsHash.slice(0, RUN_ID_HEX);

/** The n-th candidate run id for a base: n = 1 is the base itself, then `-2`, `-3`, … */
export function runIdCandidate(base: string, n: number): string {
  return n === 1 ? base : `${base}-${n}`;
}

/** True when `runId` is the base of `inputsHash` or one of its deterministic suffixes. */
export function isDerivedRunId(
  runId: string,
  inputsHash: string,
  base: RunIdBase = deriveRunIdBase,
): boolean {
  const root = base(inputsHash);
  return (
    runId === root ||
    (runId.startsWith(`${root}-`) && /^-(?:[2-9]|[1-9][0-9]+)$/.test(runId.slice(root.length)))
  );
}
