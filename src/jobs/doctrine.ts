import { readFile } from "node:fs/promises";
import { z } from "zod";
import { parseWith, parseYamlStrict, SigilError, sha256Hex } from "../core/index.js";
import { type DoctrineSnapshot, resolveInside } from "../world/index.js";
import type { DoctrineRef } from "./brief.js";

/**
 * Doctrine: versioned policy documents, `doctrine/<doctrine_id>/<version>.md`. The file is
 * Markdown for people with a YAML front matter for machines (`rules` a job type can check).
 * A version is never edited once used: a change is a new version, and so a new run_id.
 */
export const DoctrineRules = z.strictObject({
  max_chars: z.number().int().positive().optional(),
  max_hashtags: z.number().int().nonnegative().optional(),
  banned_phrases: z.array(z.string().min(1)).default([]),
  required_phrases: z.array(z.string().min(1)).default([]),
});
export type DoctrineRules = z.infer<typeof DoctrineRules>;

const FrontMatter = z.strictObject({
  doctrine_id: z.string().min(1),
  version: z.string().min(1),
  title: z.string().min(1),
  rules: DoctrineRules.default({ banned_phrases: [], required_phrases: [] }),
});

export interface ParsedDoctrine {
  doctrine_id: string;
  version: string;
  title: string;
  rules: DoctrineRules;
  body: string;
}

/** Split and validate the front matter of a doctrine document's text. */
export function parseDoctrine(content: string, where: string): ParsedDoctrine {
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(content);
  if (!match) throw new SigilError("ERR_DOCTRINE", `${where} has no YAML front matter (--- … ---)`);
  const front = parseWith(
    FrontMatter,
    parseYamlStrict(match[1] ?? "", "ERR_DOCTRINE", where),
    "ERR_DOCTRINE",
    where,
  );
  return { ...front, body: match[2] ?? "" };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Resolve a doctrine reference to its snapshot (docs/contracts/doctrine.md), reading only inside `doctrineDir`. */
export async function resolveDoctrine(doctrineDir: string, ref: DoctrineRef): Promise<DoctrineSnapshot> {
  const label = `${ref.id}@${ref.version}`;
  let path: string | undefined;
  try {
    path = await resolveInside(doctrineDir, `${ref.id}/${ref.version}.md`, "doctrine");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") path = undefined;
    else throw error;
  }
  if (!path) {
    throw new SigilError(
      "ERR_DOCTRINE",
      `${label} not found (expected ${doctrineDir}/${ref.id}/${ref.version}.md)`,
    );
  }
  const bytes = await readFile(path);
  let content: string;
  try {
    content = utf8.decode(bytes);
  } catch {
    throw new SigilError("ERR_DOCTRINE", `${label} is not valid UTF-8`);
  }
  const parsed = parseDoctrine(content, label);
  if (parsed.doctrine_id !== ref.id || parsed.version !== ref.version) {
    throw new SigilError(
      "ERR_DOCTRINE",
      `${label}: its front matter says ${parsed.doctrine_id}@${parsed.version}; the file must describe itself`,
    );
  }
  return { doctrine_id: ref.id, version: ref.version, sha256: sha256Hex(bytes), content };
}
