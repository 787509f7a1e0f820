import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonStrict } from "../../core/index.js";
import { assertManifestConsistent, MANIFEST_FILE, type Manifest, parseManifestValue } from "../manifest.js";

export type LoadedManifest = { ok: true; manifest: Manifest } | { ok: false; reason: string };
export type ManifestLoader = (runDir: string) => Promise<LoadedManifest>;

/** Parse manifest bytes; structural problems are reasons, not exceptions. */
export function parseManifestText(text: string, where: string): LoadedManifest {
  try {
    const { manifest } = parseManifestValue(parseJsonStrict(text), where);
    // Sorted, unique lists are part of the format; inputs_hash is checked as a finding of its own.
    try {
      assertManifestConsistent(manifest, where);
    } catch (error) {
      if (!String((error as Error).message).includes("inputs_hash")) throw error;
    }
    return { ok: true, manifest };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * A loader with a small cache: chain and suffix checks look at neighbouring runs, and a bounded
 * cache keeps that cheap without holding a large world in memory.
 */
export function createManifestLoader(limit = 1024): ManifestLoader {
  const cache = new Map<string, Promise<LoadedManifest>>();
  return (runDir) => {
    const hit = cache.get(runDir);
    if (hit) return hit;
    // Synchronous read: a manifest is small, and the promise API's per-file overhead dominated.
    let loaded: LoadedManifest;
    try {
      loaded = parseManifestText(
        readFileSync(join(runDir, MANIFEST_FILE), "utf8"),
        join(runDir, MANIFEST_FILE),
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      loaded = { ok: false, reason: code === "ENOENT" ? "no manifest.json" : (error as Error).message };
    }
    const loading = Promise.resolve(loaded);
    if (cache.size >= limit) cache.delete(cache.keys().next().value ?? "");
    cache.set(runDir, loading);
    return loading;
  };
}
