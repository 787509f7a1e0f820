import { lstat } from "node:fs/promises";
import { resolve } from "node:path";
import { SigilError, writeFileAtomic } from "../core/index.js";
import type { PlannedFile } from "./plan.js";

export interface ScaffoldReport {
  root: string;
  /** Files written, in plan order. */
  written: string[];
  /** Files left as they were (shared ones that existed already). */
  kept: string[];
  /** Files that existed and were replaced (only with `force`). */
  overwritten: string[];
}

async function present(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a plan under `root`. Every conflict is found before the first byte is written, so a
 * refused scaffold leaves the directory exactly as it was; each file is written atomically.
 */
export async function writeScaffold(
  root: string,
  files: readonly PlannedFile[],
  options: { force?: boolean } = {},
): Promise<ScaffoldReport> {
  const base = resolve(root);
  const report: ScaffoldReport = { root: base, written: [], kept: [], overwritten: [] };
  const existing = new Set<string>();
  for (const file of files) if (await present(resolve(base, file.path))) existing.add(file.path);
  const conflicts = files.filter((f) => existing.has(f.path) && !f.ifAbsent).map((f) => f.path);
  if (conflicts.length > 0 && !options.force) {
    throw new SigilError(
      "ERR_INIT_EXISTS",
      `${conflicts.length} file(s) exist already: ${conflicts.join(", ")} (--force replaces them)`,
      { conflicts },
    );
  }
  for (const file of files) {
    if (existing.has(file.path) && file.ifAbsent) {
      report.kept.push(file.path);
      continue;
    }
    await writeFileAtomic(resolve(base, file.path), file.content);
    (existing.has(file.path) ? report.overwritten : report.written).push(file.path);
  }
  return report;
}
