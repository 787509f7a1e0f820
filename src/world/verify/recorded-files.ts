import { join } from "node:path";
import type { OutputEntry } from "../../core/index.js";
import { type Finding, type FindingCode, finding } from "./findings.js";
import { digestIfPresent } from "./hash-files.js";

/** Recorded `{path, sha256, bytes}` entries against the bytes on disk: one finding per file. */
export function checkRecordedFiles(
  runDir: string,
  runPath: string,
  recorded: readonly OutputEntry[],
  codes: { missing: FindingCode; mismatch: FindingCode },
): Finding[] {
  const found: Finding[] = [];
  for (const entry of recorded) {
    const disk = digestIfPresent(join(runDir, entry.path));
    if (!disk) found.push(finding(codes.missing, runPath, entry.path, { path: entry.path }));
    else if (disk.sha256 !== entry.sha256 || disk.bytes !== entry.bytes) {
      found.push(
        finding(codes.mismatch, runPath, entry.path, {
          path: entry.path,
          expected: entry.sha256,
          observed: disk.sha256,
        }),
      );
    }
  }
  return found;
}
