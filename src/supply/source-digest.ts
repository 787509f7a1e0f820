import { relative, resolve, sep } from "node:path";
import { canonicalize, RUNTIME_DIR, runtimeDirFor, sha256Hex, walkEntries } from "../core/index.js";
import { type FileHashCacheOptions, hashFilesCached } from "./file-hash-cache.js";

/** Caches and tests: never part of what a processor runs (each .dockerignore drops them too). */
const IGNORED = new Set(["__pycache__", ".DS_Store", ".pytest_cache", ".mypy_cache", "tests"]);

/** The shared Python runtime is in every processor image, so it is part of every digest. */
export const SHARED_SOURCES = [{ dir: RUNTIME_DIR, as: "_runtime" }] as const;

/**
 * The runtime's packaging files (its version moves with every release) are not what a processor
 * imports; leaving them out keeps digests equal across releases that change no runtime code.
 */
const RUNTIME_PACKAGING = new Set(["pyproject.toml", "_pep517.py"]);

async function listFiles(root: string, shared: boolean): Promise<string[]> {
  const files: string[] = [];
  const skip = (name: string) =>
    IGNORED.has(name) || name.endsWith(".pyc") || (shared && RUNTIME_PACKAGING.has(name));
  // Links and other non-files are not part of what an image copies.
  for await (const { path, dirent } of walkEntries(root, { skip })) if (dirent.isFile()) files.push(path);
  return files;
}

export interface SourceDigest {
  digest: string;
  files: number;
  /** Files whose sha256 came from the cache instead of being read. */
  reused: number;
}

/**
 * `source:sha256:<hex>` (docs/contracts/receipts.md): sha256 of the canonical JSON of the sorted
 * `{path, sha256}` list of a processor's source files, so a code change changes receipts as a
 * new image would. The tree is listed on every call (a directory's mtime does not change when a
 * file inside it is edited); only the hashing is cached, per file (file-hash-cache.ts).
 */
export async function describeSourceDigest(
  repoRoot: string,
  source: string,
  options: FileHashCacheOptions = {},
): Promise<SourceDigest> {
  // A repository without its own runtime runs the toolkit's (core/toolkit.ts), so that one is hashed.
  const roots = [
    { abs: resolve(repoRoot, source), as: "" },
    ...SHARED_SOURCES.map((shared) => ({ abs: runtimeDirFor(repoRoot), as: shared.as })),
  ];
  const listed = await Promise.all(roots.map((root) => listFiles(root.abs, root.as !== "")));
  const files = roots.flatMap((root, i) =>
    (listed[i] ?? []).map((abs) => {
      const rel = relative(root.abs, abs).split(sep).join("/");
      return { abs, path: root.as ? `${root.as}/${rel}` : rel };
    }),
  );
  const { hashes, reused } = await hashFilesCached(
    resolve(repoRoot),
    files.map((file) => file.abs),
    roots.map((root) => root.abs),
    options,
  );
  const listing = files.map((file, i) => ({ path: file.path, sha256: hashes[i] ?? "" }));
  listing.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { digest: `source:sha256:${sha256Hex(canonicalize(listing))}`, files: files.length, reused };
}

export async function sourceDigest(
  repoRoot: string,
  source: string,
  options: FileHashCacheOptions = {},
): Promise<string> {
  return (await describeSourceDigest(repoRoot, source, options)).digest;
}
