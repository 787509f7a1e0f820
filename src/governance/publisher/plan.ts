import { createHash } from "node:crypto";
import { SigilError } from "../../core/index.js";
import type { PublishFile, PublishUnit } from "./port.js";

/** What a backend found at a path of the branch head. */
export interface HeadEntry {
  readonly type: "blob" | "tree" | "commit";
  /** Git file mode: 100644, 100755, 120000 (symlink), 040000, 160000. */
  readonly mode: string;
  readonly sha: string;
}

/** One file the commit must carry: its final bytes and their git blob id. */
export interface PlannedWrite {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly sha: string;
}

export interface UnitPlan {
  readonly writes: PlannedWrite[];
  readonly unchanged: string[];
}

/** What the planner needs from the head: entries at the unit's paths and their ancestors. */
export interface HeadView {
  readonly entries: ReadonlyMap<string, HeadEntry>;
  readBlob(sha: string): Promise<Uint8Array>;
}

/** A path segment git and every checkout can hold: no separator of either kind, no control char. */
function isPlainSegment(segment: string): boolean {
  for (const char of segment) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || char === "/" || char === "\\") return false;
  }
  return segment.length > 0;
}

/** A repository-relative POSIX path: no `..`, `.`, empty segment, backslash, control char or `.git`. */
export function assertPublishPath(path: string): void {
  const segments = path.split("/");
  const bad = segments.find(
    (s) => s === "" || s === "." || s === ".." || !isPlainSegment(s) || s.toLowerCase() === ".git",
  );
  if (path.length === 0 || bad !== undefined) {
    throw new SigilError("ERR_PATH_TRAVERSAL", `governance path ${JSON.stringify(path)}`, { path });
  }
}

/** `a/b/c` → `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split("/");
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join("/"));
}

/** The unit's paths and every folder above them, sorted: what a backend looks up at the head. */
export function pathsToLookUp(files: readonly PublishFile[]): string[] {
  const all = new Set<string>();
  for (const file of files) {
    all.add(file.path);
    for (const folder of ancestorsOf(file.path)) all.add(folder);
  }
  return [...all].sort();
}

/** Git's object id of a blob: sha1 over `blob <size>\0` and the bytes. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Refuses malformed units before any backend work: bad paths, a path twice, a file under a file. */
export function checkUnit(unit: PublishUnit): void {
  const paths = new Set<string>();
  for (const file of unit.files) {
    assertPublishPath(file.path);
    if (paths.has(file.path)) throw conflict(file.path, "appears twice in the unit");
    paths.add(file.path);
  }
  for (const path of paths) {
    const folder = ancestorsOf(path).find((a) => paths.has(a));
    if (folder) throw conflict(path, `sits under ${folder}, a file of the same unit`);
  }
}

/**
 * Decides, against the head, what the commit carries. Never rewrites: a `create` path holding
 * other bytes, a folder where a file goes, or a file where a folder goes refuses the whole unit.
 */
export async function planUnit(unit: PublishUnit, head: HeadView): Promise<UnitPlan> {
  checkUnit(unit);
  const writes: PlannedWrite[] = [];
  const unchanged: string[] = [];
  for (const file of unit.files) {
    const blocker = ancestorsOf(file.path).find((a) => {
      const entry = head.entries.get(a);
      return entry !== undefined && entry.type !== "tree";
    });
    if (blocker) throw conflict(file.path, `${blocker} is a file at the head`);
    const existing = head.entries.get(file.path);
    if (existing && (existing.type !== "blob" || existing.mode === "120000")) {
      throw conflict(file.path, `holds a ${existing.mode === "120000" ? "symbolic link" : existing.type}`);
    }
    const sha = gitBlobSha(file.bytes);
    if (file.mode === "append") {
      const current = existing ? await head.readBlob(existing.sha) : new Uint8Array();
      if (endsWith(current, file.bytes)) unchanged.push(file.path);
      else writes.push(withSha(file.path, concat(current, file.bytes)));
      continue;
    }
    if (!existing) writes.push({ path: file.path, bytes: file.bytes, sha });
    else if (existing.sha === sha) unchanged.push(file.path);
    else throw conflict(file.path, `holds blob ${existing.sha}, the unit brings ${sha}`);
  }
  writes.sort((a, b) => compare(a.path, b.path));
  unchanged.sort(compare);
  return { writes, unchanged };
}

function withSha(path: string, bytes: Uint8Array): PlannedWrite {
  return { path, bytes, sha: gitBlobSha(bytes) };
}

function conflict(path: string, why: string): SigilError {
  return new SigilError("ERR_PUBLISH_CONFLICT", `${path} ${why}`, { path });
}

function endsWith(whole: Uint8Array, tail: Uint8Array): boolean {
  if (tail.length > whole.length) return false;
  const offset = whole.length - tail.length;
  for (let i = 0; i < tail.length; i++) if (whole[offset + i] !== tail[i]) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Code-unit order, as `sort()` without a comparator: stable across locales. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
