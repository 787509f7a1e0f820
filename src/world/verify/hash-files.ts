import { createHash } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";

export interface DiskDigest {
  sha256: string;
  bytes: number;
  /** The file's bytes, when asked for (snapshots: parsed and checked without a second read). */
  content?: Buffer;
}

/**
 * One reusable read buffer. A world is tens of thousands of small files: reading each into a
 * fresh Buffer through the promise API cost four times the hashing (threadpool hops, FileHandle
 * open/fstat/read/close, garbage). Synchronous reads into one buffer leave the syscalls only.
 */
const BUFFER = Buffer.allocUnsafe(1 << 20);

/**
 * sha256 and size of a file, or undefined when there is no regular file: missing, or a symbolic
 * link (never followed: the walk of the run reports the link itself).
 */
export function digestIfPresent(path: string, keep = false): DiskDigest | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw error;
  }
  try {
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, BUFFER, 0, BUFFER.length, null);
      if (n === 0) break;
      hash.update(BUFFER.subarray(0, n));
      if (keep) chunks.push(Buffer.from(BUFFER.subarray(0, n)));
      bytes += n;
    }
    const digest = { sha256: hash.digest("hex"), bytes };
    return keep ? { ...digest, content: Buffer.concat(chunks) } : digest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EISDIR") return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** A file's bytes, refusing (ELOOP) to follow a symbolic link; other errors as thrown. */
export function readFileNoFollow(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
