import type { OutputEntry } from "../../core/index.js";
import { type Finding, type FindingCode, finding } from "./findings.js";
import { digestIfPresent } from "./hash-files.js";
import { childPath } from "./walk.js";

const isPlainRelative = (path: string) =>
  !path.startsWith("/") && !path.includes("\\") && !path.includes("\0") && !path.split("/").includes("..");

/** Recorded `{path, sha256, bytes}` entries against the bytes on disk: one finding per file. */
export function checkRecordedFiles(
  runDir: string,
  runPath: string,
  recorded: readonly OutputEntry[],
  codes: { missing: FindingCode; mismatch: FindingCode },
  /** Snapshots: which files' bytes to keep (into `contents`), and a canonical-form check of all. */
  inspect?: { keep: (path: string) => boolean; contents: Map<string, Buffer> },
): Finding[] {
  const found: Finding[] = [];
  for (const entry of recorded) {
    // Recorded paths are untrusted: one that climbs out of the run is never opened.
    if (!isPlainRelative(entry.path)) {
      found.push(finding(codes.missing, runPath, `${entry.path} escapes the run`, { path: entry.path }));
      continue;
    }
    const disk = digestIfPresent(
      childPath(runDir, entry.path),
      inspect ? { keep: inspect.keep(entry.path), canonical: true } : {},
    );
    if (disk?.content) inspect?.contents.set(entry.path, disk.content);
    if (disk?.canonical === false)
      found.push(finding("ERR_VERIFY_CANONICAL", runPath, entry.path, { path: entry.path }));
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
