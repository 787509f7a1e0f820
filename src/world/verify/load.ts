import { join } from "node:path";
import { isCanonicalJson, parseJsonStrict } from "../../core/index.js";
import { assertManifestConsistent, MANIFEST_FILE, type Manifest, parseManifestValue } from "../manifest.js";
import { readFileNoFollow } from "./hash-files.js";

export type LoadedManifest =
  | { ok: true; manifest: Manifest /** the bytes are RFC 8785 canonical, as written */; canonical: boolean }
  | { ok: false; reason: string /** there is no manifest.json at all (an unsettled run) */; missing?: true };
export type ManifestLoader = (runDir: string) => Promise<LoadedManifest>;

/** Parse manifest bytes; structural problems are reasons, not exceptions. */
export function parseManifestText(text: string, where: string, bytes?: Buffer): LoadedManifest {
  try {
    const { manifest } = parseManifestValue(parseJsonStrict(text), where);
    // Sorted, unique lists are part of the format; inputs_hash is checked as a finding of its own.
    try {
      assertManifestConsistent(manifest, where);
    } catch (error) {
      if (!String((error as Error).message).includes("inputs_hash")) throw error;
    }
    return { ok: true, manifest, canonical: isCanonicalJson(bytes ?? Buffer.from(text, "utf8")) };
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
      const bytes = readFileNoFollow(join(runDir, MANIFEST_FILE));
      loaded = parseManifestText(bytes.toString("utf8"), join(runDir, MANIFEST_FILE), bytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      loaded =
        code === "ENOENT"
          ? { ok: false, reason: "no manifest.json", missing: true }
          : {
              ok: false,
              reason: code === "ELOOP" ? "manifest.json is a symbolic link" : (error as Error).message,
            };
    }
    const loading = Promise.resolve(loaded);
    if (cache.size >= limit) cache.delete(cache.keys().next().value ?? "");
    cache.set(runDir, loading);
    return loading;
  };
}
