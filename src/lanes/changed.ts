import { SigilError, type Spawn, spawnProcess } from "../core/index.js";
import { SHARED_SOURCES } from "../supply/index.js";
import type { CheckedEntry } from "./project.js";

export interface Selection {
  /** Refs to check, sorted. */
  selected: string[];
  /** Refs left out because nothing they depend on changed. */
  skipped: string[];
  /** One line a human can read in the job summary. */
  reason: string;
}

/** A base that names no commit (a new branch's `before`) cannot be diffed against. */
const NULL_SHA = /^0+$/;

/** Files changed between `base` and HEAD, or undefined with the reason when git cannot tell. */
export async function listChangedFiles(
  root: string,
  base: string,
  env: NodeJS.ProcessEnv,
  spawn: Spawn = spawnProcess,
): Promise<{ files: string[] } | { unknown: string }> {
  if (base === "" || NULL_SHA.test(base)) return { unknown: "no base commit to compare with" };
  if (base.startsWith("-"))
    throw new SigilError("ERR_INPUTS", `base ref ${JSON.stringify(base)} is not a ref`);
  const childEnv: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "LANG"]) {
    const value = env[name];
    if (value !== undefined) childEnv[name] = value;
  }
  const result = await spawn({
    file: "git",
    // --relative: paths relative to `root`, which may be a subfolder of the git repository.
    args: ["-C", root, "diff", "--name-only", "--no-renames", "--relative", "-z", base, "HEAD", "--"],
    cwd: root,
    env: childEnv,
    timeoutMs: 30_000,
    tailChars: 1 << 20,
  });
  if (result.rc !== 0) {
    const why = result.failure ?? (result.stderr.head.trim().split("\n")[0] || `git exited ${result.rc}`);
    return { unknown: `git diff ${base} HEAD failed: ${why}` };
  }
  // The helper keeps a bounded head; a listing that did not fit is treated as "everything".
  if (result.stdout.tail !== "") return { unknown: "the list of changed files is too long" };
  return { files: result.stdout.head.split("\0").filter((f) => f.length > 0) };
}

/**
 * Which processors a change touches: its source folder, the shared runtime copied into every
 * processor, its registry entry, or the config (which holds the PR-lane inputs) for all of them.
 */
export function selectChanged(
  entries: readonly CheckedEntry[],
  changed: readonly string[],
  configPath: string,
): Selection {
  const underAny = (dirs: readonly string[]) => changed.some((f) => dirs.some((d) => f.startsWith(`${d}/`)));
  const shared = SHARED_SOURCES.map((s) => s.dir);
  const everything = changed.includes(configPath) || underAny(shared);
  const selected: string[] = [];
  const skipped: string[] = [];
  for (const { entry, file } of entries) {
    const touched = everything || changed.includes(file) || underAny([entry.source]);
    (touched ? selected : skipped).push(entry.ref);
  }
  const reason = everything
    ? `${changed.length} changed file(s) include shared inputs (${configPath} or the processor runtime): every processor`
    : `${changed.length} changed file(s) touch ${selected.length} of ${entries.length} processor(s)`;
  return { selected, skipped, reason };
}

export function selectAll(entries: readonly CheckedEntry[], reason: string): Selection {
  return { selected: entries.map((e) => e.entry.ref), skipped: [], reason };
}

/** Exactly `refs` (a chunk of a fanned-out lane): each must be in the registry. */
export function selectRefs(entries: readonly CheckedEntry[], refs: readonly string[]): Selection {
  const known = new Set(entries.map((e) => e.entry.ref));
  const unknown = refs.filter((ref) => !known.has(ref));
  if (unknown.length > 0) {
    throw new SigilError("ERR_UNKNOWN_PROCESSOR", `${unknown.join(", ")}: not in the registry`);
  }
  const selected = [...new Set(refs)].sort();
  return {
    selected,
    skipped: [],
    reason: `${selected.length} processor(s) of this chunk`,
  };
}
