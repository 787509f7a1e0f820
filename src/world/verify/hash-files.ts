import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

export interface DiskDigest {
  sha256: string;
  bytes: number;
}

/**
 * One reusable read buffer. A world is tens of thousands of small files: reading each into a
 * fresh Buffer through the promise API cost four times the hashing (threadpool hops, FileHandle
 * open/fstat/read/close, garbage). Synchronous reads into one buffer leave the syscalls only.
 */
const BUFFER = Buffer.allocUnsafe(1 << 20);

/** sha256 and size of a file, or undefined when it does not exist. */
export function digestIfPresent(path: string): DiskDigest | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
  try {
    const hash = createHash("sha256");
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, BUFFER, 0, BUFFER.length, null);
      if (n === 0) break;
      hash.update(BUFFER.subarray(0, n));
      bytes += n;
    }
    return { sha256: hash.digest("hex"), bytes };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EISDIR") return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}
