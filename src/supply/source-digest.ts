import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { canonicalize, sha256File, sha256Hex } from "../core/index.js";

/** Caches and tests: never part of what a processor runs (each .dockerignore drops them too). */
const IGNORED = new Set(["__pycache__", ".DS_Store", ".pytest_cache", ".mypy_cache", "tests"]);

/** The shared Python runtime is copied into every processor image, so it is part of every digest. */
export const SHARED_SOURCES = [{ dir: "processors/_runtime", as: "_runtime" }] as const;

async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const item of await readdir(dir, { withFileTypes: true })) {
      if (IGNORED.has(item.name) || item.name.endsWith(".pyc")) continue;
      const path = join(dir, item.name);
      if (item.isDirectory()) await walk(path);
      else if (item.isFile()) files.push(path);
    }
  };
  await walk(root);
  return files;
}

/**
 * `source:sha256:<hex>` (docs/contracts/receipts.md): sha256 of the canonical JSON of the sorted `{path, sha256}`
 * list of a processor's source files, so a code change changes receipts as a new image would.
 */
export async function sourceDigest(repoRoot: string, source: string): Promise<string> {
  const roots = [{ dir: source, as: "" }, ...SHARED_SOURCES];
  const listing: { path: string; sha256: string }[] = [];
  for (const root of roots) {
    const abs = join(repoRoot, root.dir);
    for (const file of await listFiles(abs)) {
      const rel = relative(abs, file).split(sep).join("/");
      listing.push({ path: root.as ? `${root.as}/${rel}` : rel, sha256: (await sha256File(file)).sha256 });
    }
  }
  listing.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `source:sha256:${sha256Hex(canonicalize(listing))}`;
}
