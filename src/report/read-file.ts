import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";

/** What a bounded read found: the first `max` bytes, the file's size, or nothing usable. */
export interface BoundedRead {
  bytes: Buffer;
  /** The whole file's size (may exceed bytes.length). */
  size: number;
}

/**
 * A path a World records (`outputs/…`, `inputs/…`) is untrusted: only a plain relative path is
 * ever opened, so nothing outside the run folder is read for a preview.
 */
export function isPlainRelativePath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith("/") &&
    !path.includes("\\") &&
    !path.includes("\0") &&
    !path.split("/").some((part) => part === ".." || part === "." || part === "")
  );
}

/**
 * At most `max` bytes of a regular file under `dir`, never following a symbolic link (a World
 * holds none; the verifier reports any). Undefined when the file is missing, a link, a folder, or
 * the path is not plain.
 */
export function readBounded(dir: string, rel: string, max: number): BoundedRead | undefined {
  if (!isPlainRelativePath(rel)) return undefined;
  let fd: number;
  try {
    fd = openSync(join(dir, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const bytes = Buffer.allocUnsafe(Math.min(max, stat.size));
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return { bytes: bytes.subarray(0, filled), size: stat.size };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
