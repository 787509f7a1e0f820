import { parseJsonCanonicalFirst } from "../../core/index.js";
import { assertManifestListsSorted, MANIFEST_FILE, type Manifest, parseManifestValue } from "../manifest.js";
import { computeInputsHash } from "../snapshots.js";
import { readFileNoFollow } from "./hash-files.js";
import { childPath } from "./walk.js";

export type LoadedManifest =
  | {
      ok: true;
      manifest: Manifest;
      /** The bytes are RFC 8785 canonical, as written. */
      canonical: boolean;
      /** inputs_hash recomputed from the snapshot list (compared with the recorded one by the verifier). */
      inputsHash: string;
    }
  | { ok: false; reason: string /** there is no manifest.json at all (an unsettled run) */; missing?: true };
export type ManifestLoader = (runDir: string) => Promise<LoadedManifest>;

/** Parse manifest bytes; structural problems are reasons, not exceptions. */
export function parseManifestBytes(bytes: Buffer, where: string): LoadedManifest {
  try {
    const { value, canonical } = parseJsonCanonicalFirst(bytes);
    const { manifest } = parseManifestValue(value, where);
    assertManifestListsSorted(manifest, where);
    return { ok: true, manifest, canonical, inputsHash: computeInputsHash(manifest.snapshots) };
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
      const path = childPath(runDir, MANIFEST_FILE);
      loaded = parseManifestBytes(readFileNoFollow(path), path);
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
