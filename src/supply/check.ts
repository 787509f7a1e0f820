import { type RegistryEntry, SigilError } from "../core/index.js";
import { assertImagePolicy, type RepoScope } from "./image-ref.js";
import type { Lane } from "./lane.js";
import { assertImagePlatforms } from "./multiarch.js";
import type { RegistryClient } from "./oci/index.js";
import { loadRegistry } from "./registry.js";

export interface EntryCheck {
  ref: string;
  file: string;
  image: string;
  ok: boolean;
  digest?: string;
  platform_digests?: Record<string, string>;
  error?: { code: string; message: string };
}

export interface RegistryCheckReport {
  status: "pass" | "fail";
  lane: Lane;
  entries: EntryCheck[];
}

export interface RegistryCheckOptions {
  lane: Lane;
  scope: RepoScope | undefined;
  client: RegistryClient;
  /** Registry host → the host to fetch from instead (a mirror, or a loopback registry in tests). */
  mirrors?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
}

/** Replaces the registry host of `image` by its mirror, if one is configured. */
export function throughMirror(image: string, mirrors: ReadonlyMap<string, string> | undefined): string {
  const slash = image.indexOf("/");
  const host = image.slice(0, slash);
  const to = mirrors?.get(host);
  return to ? `${to}${image.slice(slash)}` : image;
}

/**
 * One registry entry, checked as the pin check does (docs/supply-chain.md): pinned in pinned
 * lanes, repo-scoped, and, when pinned, its digest exists with every required platform. A policy
 * or registry failure is the entry's finding; anything unexpected is thrown.
 */
export async function checkEntry(
  entry: RegistryEntry,
  file: string,
  options: RegistryCheckOptions,
): Promise<EntryCheck> {
  const base = { ref: entry.ref, file, image: entry.image };
  try {
    const image = assertImagePolicy(entry, options.lane, options.scope);
    if (image.digest === undefined) return { ...base, ok: true };
    const result = await assertImagePlatforms(
      options.client,
      throughMirror(entry.image, options.mirrors),
      entry.platforms,
      options.signal,
    );
    return { ...base, ok: true, digest: result.digest, platform_digests: result.platform_digests };
  } catch (error) {
    if (!(error instanceof SigilError) || error.code === "ERR_INTERNAL") throw error;
    return { ...base, ok: false, error: { code: error.code, message: error.message } };
  }
}

/** Every registry entry, checked by `checkEntry`; the report fails if any entry does. */
export async function checkRegistry(
  dir: string,
  options: RegistryCheckOptions,
): Promise<RegistryCheckReport> {
  const registry = await loadRegistry(dir);
  const entries: EntryCheck[] = [];
  for (const [, { entry, file }] of [...registry].sort(([a], [b]) => (a < b ? -1 : 1)))
    entries.push(await checkEntry(entry, file, options));
  return { status: entries.every((e) => e.ok) ? "pass" : "fail", lane: options.lane, entries };
}
