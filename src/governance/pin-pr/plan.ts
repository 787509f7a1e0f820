import { posix } from "node:path";
import { canonicalize, type RegistryEntry, SigilError, sha256Hex } from "../../core/index.js";
import {
  assertImagePolicy,
  type PinsFile,
  parseImageRef,
  parseRegistryEntry,
  pinEntryText,
} from "../../supply/index.js";

/** One registry file the pin PR rewrites. */
export interface PlannedFile {
  /** Repository-relative path. */
  path: string;
  before: string;
  after: string;
}

/** One row of the PR body's table. */
export interface PinRow {
  ref: string;
  path: string;
  oldImage: string;
  newImage: string;
  platforms: string[];
  platformDigests: Record<string, string>;
  sourceCommit: string;
  tag: string;
  changed: boolean;
}

export interface PinPlan {
  rows: PinRow[];
  /** Only the files whose text changes, sorted by path. */
  files: PlannedFile[];
  /** sha256 of the canonical `[{path, after}]` of the changed files. */
  filesHash: string;
}

/**
 * Plans the registry rewrite of a pin PR, purely: `texts` are the registry files at the base
 * commit (repository path → text). Each pinned ref must have an entry, and its new image must be
 * the entry's own repository inside `ghcr.io/<scope>/`; otherwise nothing is planned
 * (ERR_UNKNOWN_PROCESSOR, ERR_REGISTRY_MISMATCH). Only `image` and `image_tag` bytes change.
 */
export function planPins(texts: ReadonlyMap<string, string>, pins: PinsFile, scope: string): PinPlan {
  const byRef = new Map<string, { path: string; text: string; entry: RegistryEntry }>();
  for (const [path, text] of [...texts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const entry = parseRegistryEntry(text, path);
    const previous = byRef.get(entry.ref);
    if (previous)
      throw new SigilError(
        "ERR_REGISTRY_ENTRY",
        `${entry.ref} is declared twice: ${previous.path} and ${path}`,
      );
    byRef.set(entry.ref, { path, text, entry });
  }
  const rows: PinRow[] = [];
  const files: PlannedFile[] = [];
  for (const [ref, pin] of Object.entries(pins).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const found = byRef.get(ref);
    if (!found) throw new SigilError("ERR_UNKNOWN_PROCESSOR", `${ref} in pins.json is not in the registry`);
    const current = parseImageRef(found.entry.image);
    const newImage = `${pin.image}@${pin.digest}`;
    const target = parseImageRef(newImage);
    if (target.host !== current.host || target.repository !== current.repository || target.tag)
      throw new SigilError(
        "ERR_REGISTRY_MISMATCH",
        `${ref}: pins.json names ${pin.image}, the registry entry lives at ${current.host}/${current.repository}`,
        { ref, image: pin.image },
      );
    assertImagePolicy({ ...found.entry, image: newImage }, "main", scope);
    const after = pinEntryText(found.text, pin);
    const changed = after !== found.text;
    if (changed) files.push({ path: found.path, before: found.text, after });
    rows.push({
      ref,
      path: found.path,
      oldImage: found.entry.image,
      newImage,
      platforms: pin.platforms,
      platformDigests: pin.platform_digests,
      sourceCommit: pin.source_commit,
      tag: pin.tag,
      changed,
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const filesHash = sha256Hex(canonicalize(files.map((f) => ({ path: f.path, after: f.after }))));
  return { rows, files, filesHash };
}

/** Whether a zip entry path (`<top>/<path>`) is a registry YAML under `registryDir`. */
export function isRegistryPath(path: string, registryDir: string): boolean {
  const dir = posix.normalize(registryDir).replace(/\/+$/, "");
  return path.startsWith(`${dir}/`) && /\.ya?ml$/.test(path) && !path.split("/").includes("..");
}
