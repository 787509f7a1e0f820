import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type OutputEntry,
  OutputsIndex,
  parseJsonStrict,
  parseWith,
  SigilError,
  sha256File,
  walkEntries,
} from "../core/index.js";

/** Every file under `<prefix>/outputs/`, hashed, sorted by its prefix-relative path. */
export async function scanOutputs(prefix: string): Promise<OutputEntry[]> {
  const found: OutputEntry[] = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  for await (const { path, rel, dirent } of walkEntries(join(prefix, "outputs"))) {
    const relPath = `outputs/${rel}`;
    if (!dirent.isFile())
      throw new SigilError("ERR_OUTPUT_PATH", `${relPath} is neither a file nor a folder`);
    found.push({ path: relPath, ...(await sha256File(path, buffer)) });
  }
  assertDistinctNames(found);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Names equal after Unicode normalization and case folding are one file on macOS and Windows
 * (processors/_runtime/outputs.py canonical_key refuses them at write time; this catches a
 * processor that wrote them by other means). Upper-then-lower approximates Python's casefold.
 */
export function outputNameKey(path: string): string {
  return path.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

function assertDistinctNames(entries: readonly OutputEntry[]): void {
  const seen = new Map<string, string>();
  for (const { path } of entries) {
    const key = outputNameKey(path);
    const other = seen.get(key);
    if (other !== undefined)
      throw new SigilError(
        "ERR_OUTPUT_DUPLICATE",
        `${JSON.stringify(path)} collides with ${JSON.stringify(other)}`,
      );
    seen.set(key, path);
  }
}

export async function readOutputsIndex(prefix: string): Promise<OutputEntry[]> {
  const text = await readFile(join(prefix, "outputs.json"), "utf8");
  return parseWith(OutputsIndex, parseJsonStrict(text), "ERR_ADAPTER_INVOCATION", "outputs.json");
}

/** The index must list exactly the files that are there, with their bytes' hashes. */
export function assertIndexMatches(index: readonly OutputEntry[], scanned: readonly OutputEntry[]): void {
  const key = (e: OutputEntry) => `${e.path}\u0000${e.sha256}\u0000${e.bytes}`;
  const listed = new Set(index.map(key));
  const present = new Set(scanned.map(key));
  const missing = [...listed].filter((k) => !present.has(k));
  const extra = [...present].filter((k) => !listed.has(k));
  if (missing.length || extra.length) {
    const show = (keys: string[]) => keys.map((k) => k.split("\u0000")[0]).join(", ");
    throw new SigilError(
      "ERR_ADAPTER_INVOCATION",
      `outputs.json does not match outputs/ (listed but absent or different: ${show(missing) || "none"}; present but unlisted: ${show(extra) || "none"})`,
    );
  }
}
