import { readFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { z } from "zod";
import {
  canonicalize,
  Mode,
  parseJsonStrict,
  parseWith,
  parseYamlStrict,
  SigilError,
} from "../core/index.js";
import { assertRelativePath, assertSafeSegment, RESERVED_JOB_IDS, RunId } from "../world/index.js";

/**
 * A brief: the one file a user writes to propose a governed job. Parsed once, here, at the edge.
 * Everything outside `runtime` is canonical input and changes the run's identity; `runtime` is
 * bookkeeping for people and queues and never reaches a snapshot.
 */
export const BRIEF_SCHEMA = "sigil.brief/v1";
export const MAX_BRIEF_BYTES = 256 * 1024;

const SLUG = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
const Slug = z.string().regex(SLUG, "1-64 of a-z 0-9 . _ -, starting and ending with a letter or digit");

export const JobId = Slug.refine((id) => !(RESERVED_JOB_IDS as readonly string[]).includes(id), {
  message: `${RESERVED_JOB_IDS.join(" and ")} are reserved folders of the world root`,
});

export const DoctrineRef = z.strictObject({
  id: Slug,
  version: z.string().regex(/^v[1-9][0-9]{0,5}$/, "v1, v2, …"),
});
export type DoctrineRef = z.infer<typeof DoctrineRef>;

/** A chained stage names its upstream run exactly, or the brief that produced it. */
export const UpstreamRef = z.union([
  z.strictObject({ job_id: JobId, run_id: RunId }),
  z.strictObject({ brief: z.string().min(1).max(1000) }),
]);
export type UpstreamRef = z.infer<typeof UpstreamRef>;

export const ModelConfig = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
  top_p: z.number().gt(0).max(1).optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

/** Runtime-only: who asked, labels, priority, a note. Never hashed. */
export const RuntimeFields = z.strictObject({
  labels: z.array(z.string().max(100)).max(50).optional(),
  note: z.string().max(4000).optional(),
  priority: z.enum(["low", "normal", "high"]).optional(),
  requested_by: z.string().max(200).optional(),
});

export const Brief = z
  .strictObject({
    schema: z.literal(BRIEF_SCHEMA).optional(),
    job_id: JobId,
    job_type: z.string().min(1).max(100),
    objective: z.string().min(1).max(4000).optional(),
    mode: Mode.optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    context_file: z.string().min(1).max(1000).optional(),
    model: ModelConfig.optional(),
    doctrine: DoctrineRef.optional(),
    upstream: UpstreamRef.optional(),
    runtime: RuntimeFields.optional(),
  })
  .refine((b) => b.context === undefined || b.context_file === undefined, {
    message: "give context or context_file, not both",
  });
export type Brief = z.infer<typeof Brief>;

export interface LoadedBrief {
  brief: Brief;
  /** Absolute path of the brief file; relative paths inside it resolve against its folder. */
  path: string;
  dir: string;
}

function field(raw: unknown, ...keys: string[]): unknown {
  let at: unknown = raw;
  for (const key of keys) {
    if (typeof at !== "object" || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Every field that becomes a path, checked before the schema so a climb is always named as one. */
function assertNoTraversal(raw: unknown): void {
  const segments: [string, unknown][] = [
    ["job_id", field(raw, "job_id")],
    ["doctrine.id", field(raw, "doctrine", "id")],
    ["doctrine.version", field(raw, "doctrine", "version")],
    ["upstream.job_id", field(raw, "upstream", "job_id")],
    ["upstream.run_id", field(raw, "upstream", "run_id")],
  ];
  for (const [name, value] of segments) if (typeof value === "string") assertSafeSegment(value, name);
  const paths: [string, unknown][] = [
    ["context_file", field(raw, "context_file")],
    ["upstream.brief", field(raw, "upstream", "brief")],
  ];
  for (const [name, value] of paths) if (typeof value === "string") assertRelativePath(value, name);
}

/** Parse a data file (YAML, or JSON by extension): duplicate keys and non-JSON values refused. */
export function parseDataText(text: string, path: string, code: "ERR_BRIEF"): unknown {
  let raw: unknown;
  if (extname(path).toLowerCase() === ".json") {
    try {
      raw = parseJsonStrict(text);
    } catch (error) {
      throw new SigilError(code, `${path}: ${(error as Error).message}`);
    }
  } else {
    raw = parseYamlStrict(text, code, path);
  }
  try {
    canonicalize(raw); // what cannot be canonical JSON (Infinity, lone surrogates) cannot be hashed
  } catch (error) {
    throw new SigilError(code, `${path}: ${(error as Error).message}`);
  }
  return raw;
}

export async function readBoundedText(path: string, what: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR") return undefined;
    throw error;
  }
  if (bytes.length > MAX_BRIEF_BYTES) {
    throw new SigilError(
      "ERR_BRIEF",
      `${what} ${path} is ${bytes.length} bytes; the limit is ${MAX_BRIEF_BYTES}`,
    );
  }
  return bytes.toString("utf8");
}

/** Read, parse and validate a brief file. `path` must be absolute. */
export async function loadBrief(path: string): Promise<LoadedBrief> {
  const text = await readBoundedText(path, "brief");
  if (text === undefined) throw new SigilError("ERR_BRIEF", `no brief file at ${path}`);
  const raw = parseDataText(text, path, "ERR_BRIEF");
  assertNoTraversal(raw);
  const brief = parseWith(Brief, raw, "ERR_BRIEF", path);
  return { brief, path, dir: dirname(path) };
}
