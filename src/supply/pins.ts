import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, isScalar, parse, parseDocument, type Scalar } from "yaml";
import { z } from "zod";
import { ProcessorRef, parseJsonStrict, parseProcessorRef, parseWith, SigilError } from "../core/index.js";
import { assertImagePolicy, parseImageRef, type RepoScope } from "./image-ref.js";
import { loadRegistry } from "./registry.js";

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256:<64 hex>");

/** One built image as `sigil build` records it (docs/supply-chain.md). */
export const PinRecord = z.strictObject({
  /** Repository name without tag or digest: `ghcr.io/<owner>/<repo>/<ns>-<name>`. */
  image: z.string().min(1),
  digest: Digest,
  tag: z.string().min(1),
  platforms: z.array(z.string().min(1)).min(1),
  platform_digests: z.record(z.string(), Digest),
  source_commit: z.string().min(1),
  run_url: z.string().nullable(),
});
export type PinRecord = z.infer<typeof PinRecord>;

/** `pins.json`: processor ref → its pin. */
export const PinsFile = z.record(ProcessorRef, PinRecord);
export type PinsFile = z.infer<typeof PinsFile>;

export function parsePins(text: string, where: string): PinsFile {
  let value: unknown;
  try {
    value = parseJsonStrict(text);
  } catch (error) {
    throw new SigilError("ERR_USAGE", `${where} is not JSON: ${(error as Error).message}`);
  }
  return parseWith(PinsFile, value, "ERR_USAGE", where);
}

/** `ghcr.io/<owner>/<repo>/<ns>-<name>`, lower-cased: where a processor's image must live. */
export function repoScopedImageName(scope: RepoScope, ref: string): string {
  const parts = parseProcessorRef(ref);
  if (!parts) throw new SigilError("ERR_USAGE", `not a processor ref: ${ref}`);
  return `ghcr.io/${scope}/${parts.ns}-${parts.name}`.toLowerCase();
}

/** `value` as a YAML scalar in `like`'s quoting style; plain only when it reads back unchanged. */
function renderScalar(value: string, like: Scalar["type"]): string {
  if (like === "QUOTE_SINGLE") return `'${value.replaceAll("'", "''")}'`;
  if (like === "QUOTE_DOUBLE") return JSON.stringify(value);
  return parse(value) === value && !value.includes(" #") ? value : JSON.stringify(value);
}

/**
 * Rewrites one registry YAML text to a pin: `image` becomes `<name>@<digest>` and `image_tag` the
 * human tag. The YAML document API only locates the two values; the edit splices the source text
 * at their ranges, so every other byte (comments, spacing, quoting, order) stays as it was.
 * Pure; the same pin applied twice returns the same text.
 */
export function pinEntryText(text: string, pin: PinRecord): string {
  const doc = parseDocument(text);
  if (!isMap(doc.contents))
    throw new SigilError("ERR_REGISTRY_ENTRY", "a registry entry must be a YAML mapping");
  const pairs = doc.contents.items;
  const find = (key: string) => pairs.find((p) => isScalar(p.key) && p.key.value === key);
  const edits: { at: number; end: number; text: string }[] = [];
  const replace = (key: string, value: string): boolean => {
    const node = find(key)?.value;
    if (!isScalar(node) || !node.range) return false;
    if (node.value !== value)
      edits.push({ at: node.range[0], end: node.range[1], text: renderScalar(value, node.type) });
    return true;
  };
  const image = find("image");
  if (!image || !replace("image", `${pin.image}@${pin.digest}`))
    throw new SigilError("ERR_REGISTRY_ENTRY", "a registry entry needs an `image: <reference>` line");
  if (!replace("image_tag", pin.tag)) {
    // A new `image_tag:` line right under `image:`, at the same indentation.
    const keyStart = isScalar(image.key) ? (image.key.range?.[0] ?? 0) : 0;
    const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
    const indent = text.slice(lineStart, keyStart);
    const valueEnd = isScalar(image.value) ? (image.value.range?.[1] ?? keyStart) : keyStart;
    const newline = text.indexOf("\n", valueEnd);
    const line = `${indent}image_tag: ${renderScalar(pin.tag, "PLAIN")}`;
    edits.push(
      newline < 0
        ? { at: text.length, end: text.length, text: `\n${line}` }
        : { at: newline + 1, end: newline + 1, text: `${line}\n` },
    );
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.at - a.at))
    out = out.slice(0, edit.at) + edit.text + out.slice(edit.end);
  return out;
}

export interface PinChange {
  ref: string;
  file: string;
  from: string;
  to: string;
  changed: boolean;
}

/**
 * Applies `pins` to the registry under `dir`: every pinned image must be repo-scoped (the scope,
 * when known, and always the entry's own image name), else ERR_REGISTRY_MISMATCH and nothing is
 * written. Files whose text would not change are not touched.
 */
export async function pinRegistry(
  dir: string,
  pins: PinsFile,
  scope: RepoScope | undefined,
): Promise<PinChange[]> {
  const registry = await loadRegistry(dir);
  const planned: { change: PinChange; path: string; text: string }[] = [];
  for (const [ref, pin] of Object.entries(pins).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const loaded = registry.get(ref);
    if (!loaded)
      throw new SigilError("ERR_UNKNOWN_PROCESSOR", `${ref} in pins.json is not in the registry at ${dir}`);
    const current = parseImageRef(loaded.entry.image);
    const target = parseImageRef(`${pin.image}@${pin.digest}`);
    if (target.host !== current.host || target.repository !== current.repository || target.tag) {
      throw new SigilError(
        "ERR_REGISTRY_MISMATCH",
        `${ref}: pins.json names ${pin.image}, the registry entry lives at ${current.host}/${current.repository}`,
        { ref, image: pin.image },
      );
    }
    assertImagePolicy({ ...loaded.entry, image: `${pin.image}@${pin.digest}` }, "main", scope);
    const path = join(dir, loaded.file);
    const before = await readFile(path, "utf8");
    const after = pinEntryText(before, pin);
    planned.push({
      path,
      text: after,
      change: {
        ref,
        file: loaded.file,
        from: loaded.entry.image,
        to: `${pin.image}@${pin.digest}`,
        changed: after !== before,
      },
    });
  }
  for (const p of planned) if (p.change.changed) await writeFile(p.path, p.text);
  return planned.map((p) => p.change);
}
