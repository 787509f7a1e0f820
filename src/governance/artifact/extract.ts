import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { SigilError } from "../../core/index.js";

/** Bounds on what one artifact may unpack to (docs/checks-and-reports.md). */
export interface ExtractLimits {
  /** Inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Inflated bytes of all entries together. */
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = Object.freeze({
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntries: 20_000,
});

export interface ExtractedArtifact extends AsyncDisposable {
  /** The temp directory holding the extracted files; removed on dispose. */
  dir: string;
  /** Extracted file paths, `/`-separated, relative to `dir`, in archive order. */
  files: string[];
  /** Inflated bytes written. */
  bytes: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const unsafe = (reason: string, detail: string, entry?: string) =>
  new SigilError("ERR_ARTIFACT_UNSAFE", detail, { reason, ...(entry !== undefined ? { entry } : {}) });

/**
 * The path rules, checked before yauzl's own: relative, `/`-separated, no `.`/`..`/empty segment,
 * no drive letter, no NUL. Returns the name without a directory's trailing slash.
 */
export function checkEntryName(name: string): string {
  const bare = name.endsWith("/") ? name.slice(0, -1) : name;
  const why =
    bare.length === 0
      ? "empty name"
      : name.includes("\\")
        ? "backslash in name"
        : name.startsWith("/") || /^[A-Za-z]:/.test(name)
          ? "absolute path"
          : name.includes("\0")
            ? "NUL in name"
            : bare.split("/").some((s) => s === ".." || s === "." || s === "")
              ? "path escapes or is not normal (`..`, `.` or `//`)"
              : undefined;
  if (why) throw unsafe("path", `entry ${JSON.stringify(name.slice(0, 200))}: ${why}`, name.slice(0, 200));
  return bare;
}

/** Copies one entry's inflated bytes to a new file, counting what really comes out of the inflater. */
async function writeEntry(
  stream: Readable,
  path: string,
  name: string,
  room: { entry: number; total: number },
): Promise<number> {
  const file = await open(path, "wx", 0o644);
  let written = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      written += chunk.length;
      if (written > room.entry || written > room.total) {
        stream.destroy();
        throw unsafe(
          "size",
          `entry ${JSON.stringify(name)} inflates past the ${written > room.entry ? "per-entry" : "total"} limit`,
          name,
        );
      }
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
  return written;
}

/**
 * Extracts a zip into a fresh temp directory, refusing anything that could write outside it or
 * exhaust the disk (ERR_ARTIFACT_UNSAFE): `..`, absolute paths, backslashes, symbolic links,
 * duplicate entries (also after case folding), encrypted entries, too many entries, and sizes
 * over the limits, counted on the bytes actually inflated, not only the headers. On any refusal
 * the temp directory is removed: nothing is left half-extracted.
 */
export async function extractZip(
  zip: Buffer,
  limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS,
  parent: string = tmpdir(),
): Promise<ExtractedArtifact> {
  const dir = await mkdtemp(join(parent, "sigil-artifact-"));
  const root = resolve(dir);
  const files: string[] = [];
  let total = 0;
  try {
    let zipfile: yauzl.ZipFile;
    try {
      zipfile = await yauzl.fromBufferPromise(zip, {
        lazyEntries: true,
        decodeStrings: true,
        validateEntrySizes: true,
        strictFileNames: true,
      });
    } catch (error) {
      throw unsafe("corrupt", `not a readable zip: ${(error as Error).message}`);
    }
    if (zipfile.entryCount > limits.maxEntries)
      throw unsafe("entries", `${zipfile.entryCount} entries, over the limit of ${limits.maxEntries}`);
    const seen = new Set<string>();
    let declared = 0;
    for await (const entry of entriesOf(zipfile)) {
      const name = checkEntryName(entry.fileName);
      const key = name.normalize("NFC").toLowerCase();
      if (seen.has(key)) throw unsafe("duplicate", `entry ${JSON.stringify(name)} appears twice`, name);
      seen.add(key);
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) throw unsafe("symlink", `entry ${JSON.stringify(name)} is a symbolic link`, name);
      if (entry.isEncrypted()) throw unsafe("encrypted", `entry ${JSON.stringify(name)} is encrypted`, name);
      const target = resolve(root, name);
      if (!target.startsWith(`${root}${sep}`))
        throw unsafe("path", `entry ${JSON.stringify(name)} escapes`, name);
      if (entry.fileName.endsWith("/")) {
        await mkdir(target, { recursive: true });
        continue;
      }
      declared += entry.uncompressedSize;
      if (entry.uncompressedSize > limits.maxEntryBytes || declared > limits.maxTotalBytes)
        throw unsafe("size", `entry ${JSON.stringify(name)} declares sizes over the limit`, name);
      await mkdir(dirname(target), { recursive: true });
      const stream = await zipfile.openReadStreamPromise(entry);
      // yauzl may report one failure twice (inflater, then byte counter): the first is handled below.
      stream.on("error", () => undefined);
      total += await writeEntry(stream, target, name, {
        entry: limits.maxEntryBytes,
        total: limits.maxTotalBytes - total,
      });
      files.push(relative(root, target).split(sep).join("/"));
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof SigilError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message.slice(0, 300);
    // yauzl's own refusals (names it will not decode, sizes that disagree with the headers) and
    // file clashes (a file where a folder must go).
    const reason = /absolute path|relative path|invalid characters in fileName/.test(message)
      ? "path"
      : code
        ? "filesystem"
        : "corrupt";
    throw unsafe(reason, message);
  }
  return {
    dir,
    files,
    bytes: total,
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}

/** yauzl's lazy entry events as an async iterator: one entry at a time, errors thrown. */
async function* entriesOf(zipfile: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  try {
    for (;;) {
      const next = new Promise<yauzl.Entry | null>((resolveEntry, reject) => {
        const onEntry = (entry: yauzl.Entry) => done(() => resolveEntry(entry));
        const onEnd = () => done(() => resolveEntry(null));
        const onError = (error: Error) => done(() => reject(error));
        const done = (settle: () => void) => {
          zipfile.off("entry", onEntry).off("end", onEnd).off("error", onError);
          settle();
        };
        zipfile.on("entry", onEntry).on("end", onEnd).on("error", onError);
      });
      zipfile.readEntry();
      const entry = await next;
      if (entry === null) return;
      yield entry;
    }
  } finally {
    zipfile.close();
  }
}
