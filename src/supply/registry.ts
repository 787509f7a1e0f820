import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseWith, parseYamlStrict, RegistryEntry, SigilError } from "../core/index.js";

export interface LoadedEntry {
  entry: RegistryEntry;
  /** The YAML file the entry came from, relative to the registry directory. */
  file: string;
}

export type Registry = ReadonlyMap<string, LoadedEntry>;

/** Parse one registry YAML text; duplicate keys and schema violations are ERR_REGISTRY_ENTRY. */
export function parseRegistryEntry(text: string, file: string): RegistryEntry {
  return parseWith(
    RegistryEntry,
    parseYamlStrict(text, "ERR_REGISTRY_ENTRY", file),
    "ERR_REGISTRY_ENTRY",
    file,
  );
}

async function listYaml(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string) => {
    const items = await readdir(at, { withFileTypes: true });
    for (const item of items) {
      const path = join(at, item.name);
      if (item.isDirectory()) await walk(path);
      else if (/\.ya?ml$/.test(item.name)) found.push(path);
    }
  };
  await walk(dir);
  return found.sort();
}

/** Load every entry under `dir` (recursively); one ref may appear only once. */
export async function loadRegistry(dir: string): Promise<Registry> {
  let files: string[];
  try {
    files = await listYaml(dir);
  } catch (error) {
    throw new SigilError(
      "ERR_REGISTRY_ENTRY",
      `cannot read registry directory ${dir}: ${(error as Error).message}`,
    );
  }
  const registry = new Map<string, LoadedEntry>();
  // Read at once (a registry of hundreds of entries waits on I/O, not on parsing); parse in order.
  const texts = await Promise.all(files.map((path) => readFile(path, "utf8")));
  for (const [i, path] of files.entries()) {
    const file = relative(dir, path);
    const entry = parseRegistryEntry(texts[i] ?? "", file);
    const previous = registry.get(entry.ref);
    if (previous)
      throw new SigilError(
        "ERR_REGISTRY_ENTRY",
        `${entry.ref} is declared twice: ${previous.file} and ${file}`,
      );
    registry.set(entry.ref, { entry, file });
  }
  return registry;
}

export function lookupEntry(registry: Registry, ref: string): RegistryEntry {
  const found = registry.get(ref);
  if (!found) {
    const known = [...registry.keys()].sort().join(", ") || "none";
    throw new SigilError("ERR_UNKNOWN_PROCESSOR", `${ref} is not in the registry (known: ${known})`);
  }
  return found.entry;
}
