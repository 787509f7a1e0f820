import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { z } from "zod";
import { type Clock, sha256Hex, systemClock, writeFileAtomic } from "../core/index.js";

/**
 * A cache of per-file sha256 keyed by what `stat` says about the file, as git's index does:
 * absolute path, size, mtime and ctime in nanoseconds, inode and device. A user can set mtime
 * back with utimes but not ctime, so any write changes the key, except within one tick of the
 * file system clock — the "racy git" case, handled by two rules:
 * - an entry is trusted only if the file's mtime and ctime are strictly older than the cache
 *   file's own mtime (the same clock, so a write in the tick of the cache write is never trusted);
 * - an entry is stored only if the file was last changed well before we read it (STABLE_AFTER_MS
 *   of wall clock), which covers a change in the same tick as our read and file systems whose
 *   timestamps are coarser than the cache's.
 * The cache is an optimisation only: unreadable, corrupt or foreign cache files are ignored and
 * a failed write is dropped.
 */

/** FAT keeps 2 s timestamps; a file unchanged for longer than that is past any tick we read in. */
const STABLE_AFTER_MS = 3000;
const FORMAT = "sigil.file-hash-cache.v1";

const Entry = z.strictObject({
  size: z.string(),
  mtime: z.string(),
  ctime: z.string(),
  ino: z.string(),
  dev: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type Entry = z.infer<typeof Entry>;

const CacheFile = z.strictObject({
  format: z.literal(FORMAT),
  entries: z.record(z.string(), Entry),
});

export interface FileHashCacheOptions {
  /** Directory for cache files; null turns the cache off. Default: see defaultCacheDir. */
  cacheDir?: string | null;
  clock?: Clock;
}

/**
 * `$XDG_CACHE_HOME/sigil`, else a per-user directory in the OS temp dir: a read-only checkout works.
 * Off (null) in a GitHub Actions job without XDG_CACHE_HOME: a runner is thrown away after the job,
 * so a cache there would never be read again and would only leave files outside the workspace.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg?.startsWith("/")) return join(xdg, "sigil");
  if (env.GITHUB_ACTIONS === "true") return null;
  return join(tmpdir(), `sigil-cache-${process.getuid?.() ?? "user"}`);
}

function keyOf(st: BigIntStats): Omit<Entry, "sha256"> {
  return {
    size: String(st.size),
    mtime: String(st.mtimeNs),
    ctime: String(st.ctimeNs),
    ino: String(st.ino),
    dev: String(st.dev),
  };
}

function sameKey(a: Omit<Entry, "sha256">, b: Omit<Entry, "sha256">): boolean {
  return (
    a.size === b.size && a.mtime === b.mtime && a.ctime === b.ctime && a.ino === b.ino && a.dev === b.dev
  );
}

/** Older than `ns` in both mtime and ctime: no write to the file can share a tick with `ns`. */
function olderThan(entry: Omit<Entry, "sha256">, ns: bigint): boolean {
  return BigInt(entry.mtime) < ns && BigInt(entry.ctime) < ns;
}

/** sha256 of an open file and its stat taken before reading, so a later write changes the key. */
async function hashFile(path: string, buffer: Buffer): Promise<{ sha256: string; st: BigIntStats }> {
  const handle = await open(path, "r");
  try {
    const st = await handle.stat({ bigint: true });
    const hash = createHash("sha256");
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    return { sha256: hash.digest("hex"), st };
  } finally {
    await handle.close();
  }
}

interface LoadedCache {
  entries: Map<string, Entry>;
  /** The cache file's mtime: entries not strictly older than it are racy. */
  writtenNs: bigint;
}

async function loadCache(file: string): Promise<LoadedCache | undefined> {
  try {
    const handle = await open(file, "r");
    try {
      const st = await handle.stat({ bigint: true });
      // In a shared temp dir another user could plant a cache; only our own is believed.
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== BigInt(uid)) return undefined;
      const parsed = CacheFile.safeParse(JSON.parse(await handle.readFile("utf8")));
      if (!parsed.success) return undefined;
      return { entries: new Map(Object.entries(parsed.data.entries)), writtenNs: st.mtimeNs };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

export interface HashReport {
  /** sha256 per absolute path, in the order asked. */
  hashes: string[];
  /** Files whose hash came from the cache. */
  reused: number;
}

/**
 * sha256 of each of `paths` (absolute), reusing cached hashes whose stat key still matches.
 * `scopes` are the directories these paths were listed from: cached entries under them that
 * are no longer listed are dropped; entries for other directories are kept for other callers.
 */
export async function hashFilesCached(
  cacheKey: string,
  paths: readonly string[],
  scopes: readonly string[],
  options: FileHashCacheOptions = {},
): Promise<HashReport> {
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const clock = options.clock ?? systemClock;
  const cacheFile =
    cacheDir === null ? undefined : join(cacheDir, `file-hashes-${sha256Hex(cacheKey).slice(0, 16)}.json`);
  const loaded = cacheFile ? await loadCache(cacheFile) : undefined;
  const readStartNs = BigInt(clock.nowMs() - STABLE_AFTER_MS) * 1_000_000n;

  const buffer = Buffer.allocUnsafe(1 << 20);
  const next = new Map<string, Entry>();
  let reused = 0;
  let changed = false;
  const hashes: string[] = [];
  // One at a time: the files are small, and one shared read buffer keeps memory flat.
  for (const path of paths) {
    const cached = loaded?.entries.get(path);
    if (cached && loaded && olderThan(cached, loaded.writtenNs)) {
      const st = await stat(path, { bigint: true }).catch(() => undefined);
      if (st && sameKey(cached, keyOf(st))) {
        hashes.push(cached.sha256);
        next.set(path, cached);
        reused++;
        continue;
      }
    }
    const { sha256, st } = await hashFile(path, buffer);
    hashes.push(sha256);
    const key = keyOf(st);
    // Stored again even when equal: the newer cache file is what lets a racy entry be trusted.
    if (olderThan(key, readStartNs)) {
      next.set(path, { ...key, sha256 });
      changed = true;
    }
  }
  for (const [path, entry] of loaded?.entries ?? []) {
    if (next.has(path)) continue;
    const inScope = scopes.some((dir) => path.startsWith(dir + sep));
    // Racy entries are not carried over: against the newer cache file they would look trusted.
    if (!inScope && loaded && olderThan(entry, loaded.writtenNs)) next.set(path, entry);
    else changed = true;
  }
  if (cacheFile && changed) await storeCache(cacheFile, next);
  return { hashes, reused };
}

async function storeCache(file: string, entries: Map<string, Entry>): Promise<void> {
  const body = {
    format: FORMAT,
    entries: Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  try {
    await writeFileAtomic(file, JSON.stringify(body));
  } catch {
    // A read-only or full cache directory costs only speed.
  }
}
