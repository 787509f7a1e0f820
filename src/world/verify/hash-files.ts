import { createHash, type Hash } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, readSync } from "node:fs";
import { isCanonicalJson, sha256Hex } from "../../core/index.js";

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

export interface DigestOptions {
  /** Return the bytes too (a copy). */
  keep?: boolean;
  /** Also say whether the bytes are canonical JSON, checked in place without a copy. */
  canonical?: boolean;
}

/**
 * sha256 and size of a file, or undefined when there is no regular file: missing, or a symbolic
 * link (never followed: the walk of the run reports the link itself). A file that fits the buffer
 * stays contiguous in it, so inspecting its bytes costs no copy.
 */
export function digestIfPresent(
  path: string,
  options: DigestOptions = {},
): (DiskDigest & { canonical?: boolean }) | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
    throw error;
  }
  const wanted = options.keep === true || options.canonical === true;
  try {
    // A file that fits the buffer (nearly all of a world) is hashed in one call from it; only a
    // larger one streams through a Hash object, a buffer at a time.
    let hash: Hash | undefined;
    const spilled: Buffer[] = [];
    let filled = 0;
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, BUFFER, filled, BUFFER.length - filled, null);
      if (n === 0) break;
      filled += n;
      bytes += n;
      if (filled === BUFFER.length) {
        hash ??= createHash("sha256");
        hash.update(BUFFER);
        if (wanted) spilled.push(Buffer.from(BUFFER));
        filled = 0;
      }
    }
    const tail = BUFFER.subarray(0, filled);
    const sha256 = hash ? hash.update(tail).digest("hex") : sha256Hex(tail);
    const digest: DiskDigest & { canonical?: boolean } = { sha256, bytes };
    if (!wanted) return digest;
    const whole = spilled.length > 0 ? Buffer.concat([...spilled, tail]) : tail;
    if (options.canonical) digest.canonical = isCanonicalJson(whole);
    if (options.keep) digest.content = Buffer.from(whole);
    return digest;
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
