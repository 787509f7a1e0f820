import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { SigilError } from "./errors.js";

/** Errnos that mean "this filesystem will not take our writes", whoever asks. */
const UNWRITABLE: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/** The errno code of a Node filesystem error (`EACCES`, …), if it is one. */
export function errnoOf(error: unknown): string | undefined {
  if (error === null || typeof error !== "object" || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/**
 * A write into the world that failed because the filesystem refuses writes becomes
 * ERR_WORLD_UNWRITABLE naming the path and the errno; any other error is returned unchanged.
 * Used where the world is written first: admission, the write-prefix claim, the index.
 */
export function asWorldWriteError(error: unknown, path: string): unknown {
  const code = errnoOf(error);
  const reason = code === undefined ? undefined : UNWRITABLE[code];
  if (reason === undefined) return error;
  return new SigilError("ERR_WORLD_UNWRITABLE", `cannot write ${path} (${code}: ${reason})`, {
    path,
    errno: code,
  });
}

/** Runs `write`, mapping an unwritable-filesystem failure to ERR_WORLD_UNWRITABLE for `path`. */
export async function writingWorld<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw asWorldWriteError(error, path);
  }
}

/**
 * `mkdir -p` that reports the real errno. Node's recursive mkdir says ENOENT when the
 * filesystem is read-only (Node 20), which would hide EROFS from asWorldWriteError.
 */
export async function makeDirs(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const code = errnoOf(error);
    if (code === "EEXIST" && (await stat(path)).isDirectory()) return;
    const parent = dirname(path);
    if (code !== "ENOENT" || parent === path) throw error;
    await makeDirs(parent);
    await makeDirs(path);
  }
}

/** Creates a world folder (and its parents), unwritable filesystems as ERR_WORLD_UNWRITABLE. */
export function ensureWorldDir(path: string): Promise<void> {
  return writingWorld(path, () => makeDirs(path));
}
