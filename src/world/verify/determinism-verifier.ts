import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { OutputEntry } from "../../core/index.js";
import { type Finding, finding } from "./findings.js";
import { checkRecordedFiles } from "./recorded-files.js";
import type { RunContext } from "./snapshot-validator.js";

function listFiles(dir: string, rel: string, out: string[]): void {
  let items: import("node:fs").Dirent[];
  try {
    items = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const item of items) {
    if (item.isDirectory()) listFiles(join(dir, item.name), `${rel}/${item.name}`, out);
    else out.push(`${rel}/${item.name}`);
  }
}

/** Recorded outputs against the bytes under `<runDir>/outputs/`: missing, changed, unrecorded. */
export function verifyOutputFiles(
  runDir: string,
  runPath: string,
  recorded: readonly OutputEntry[],
): Finding[] {
  const found = checkRecordedFiles(runDir, runPath, recorded, {
    missing: "ERR_VERIFY_OUTPUT_MISSING",
    mismatch: "ERR_VERIFY_OUTPUT_HASH",
  });
  const declared = new Set(recorded.map((o) => o.path));
  const onDisk: string[] = [];
  listFiles(join(runDir, "outputs"), "outputs", onDisk);
  for (const path of onDisk.sort()) {
    if (!declared.has(path)) found.push(finding("ERR_VERIFY_OUTPUT_UNDECLARED", runPath, path, { path }));
  }
  return found;
}

/**
 * DeterminismVerifier (docs/contracts/verifier.md): every output the manifest records is on disk with its bytes'
 * hash, and nothing under outputs/ is unrecorded; together with the snapshot checks this is
 * what makes two runs of the same inputs comparable byte for byte.
 */
export function verifyOutputs(ctx: RunContext): Promise<Finding[]> {
  return Promise.resolve(verifyOutputFiles(ctx.runDir, ctx.runPath, ctx.manifest.outputs));
}
