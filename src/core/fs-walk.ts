import { type Dirent, readdirSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Whether an error says "there is no such folder" (missing, or a file where a folder was). */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * A folder's entries, or none when it does not exist; any other failure is thrown. Synchronous
 * on purpose: a World is many small folders and the promise API's per-call cost dominated
 * (bench/verify-10k).
 */
export function readdirOrEmpty(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

export interface WalkedEntry {
  /** Absolute path. */
  path: string;
  /** `/`-separated path relative to the walked root. */
  rel: string;
  /** What readdir said it is (lstat's type: links are never followed). */
  dirent: Dirent;
}

export interface WalkOptions {
  /** Names (files or folders) to leave out, with everything under them. */
  skip?: (name: string) => boolean;
}

/**
 * Every entry under `root` that is not a folder (files, links, anything else), depth first, in
 * readdir's order: callers sort what they keep and decide what a non-file means to them. A
 * missing root is an empty tree.
 */
export async function* walkEntries(root: string, options: WalkOptions = {}): AsyncGenerator<WalkedEntry> {
  const pending: { dir: string; rel: string }[] = [{ dir: root, rel: "" }];
  while (pending.length > 0) {
    const { dir, rel } = pending.pop() as { dir: string; rel: string };
    let items: Dirent[];
    try {
      items = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    for (const dirent of items) {
      if (options.skip?.(dirent.name)) continue;
      const path = join(dir, dirent.name);
      const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) pending.push({ dir: path, rel: childRel });
      else yield { path, rel: childRel, dirent };
    }
  }
}
