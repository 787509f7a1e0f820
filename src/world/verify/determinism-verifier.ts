import type { OutputEntry } from "../../core/index.js";
import { type Finding, finding } from "./findings.js";
import { checkRecordedFiles } from "./recorded-files.js";
import type { RunContext } from "./snapshot-validator.js";
import type { Walked } from "./walk.js";

/**
 * Recorded outputs against the bytes under `<dir>/outputs/`: missing, changed, unrecorded.
 * `walked` is one walk of `dir`; links in it are reported by the caller, never hashed.
 */
export function verifyOutputFiles(
  dir: string,
  where: string,
  recorded: readonly OutputEntry[],
  walked: Walked,
): Finding[] {
  const found = checkRecordedFiles(dir, where, recorded, {
    missing: "ERR_VERIFY_OUTPUT_MISSING",
    mismatch: "ERR_VERIFY_OUTPUT_HASH",
  });
  const declared = new Set(recorded.map((o) => o.path));
  for (const path of walked.files.filter((p) => p.startsWith("outputs/")).sort()) {
    if (!declared.has(path)) found.push(finding("ERR_VERIFY_OUTPUT_UNDECLARED", where, path, { path }));
  }
  return found;
}

/** Every symbolic link a walk met: a world holds files and folders only. */
export function linkFindings(walked: Walked, where: string): Finding[] {
  return walked.links.map((path) => finding("ERR_VERIFY_LINK", where, path, { path }));
}

/**
 * DeterminismVerifier (docs/contracts/verifier.md): every output the manifest records is on disk with its bytes'
 * hash, and nothing under outputs/ is unrecorded; together with the snapshot checks this is
 * what makes two runs of the same inputs comparable byte for byte.
 */
export function verifyOutputs(ctx: RunContext): Finding[] {
  return verifyOutputFiles(ctx.runDir, ctx.runPath, ctx.manifest.outputs, ctx.walked);
}
