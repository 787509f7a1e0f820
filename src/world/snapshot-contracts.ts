import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { Mode, OutputEntry, parseJsonStrict, parseWith, Sha256, SigilError } from "../core/index.js";
import { ChainLink, ProcessorRecord } from "./manifest.js";
import { RunId } from "./run-id.js";

/** The brief's own governance fields; context, model, doctrine and upstream have their own files. */
export const BriefSnapshot = z.strictObject({
  schema: z.literal("sigil.brief/v1"),
  job_id: z.string().min(1),
  job_type: z.string().min(1),
  /** Bumped when a job type's code would turn the same snapshots into different bytes. */
  job_type_version: z.number().int().positive(),
  objective: z.string().optional(),
  doctrine: z.strictObject({ doctrine_id: z.string(), version: z.string() }).optional(),
  upstream: z.strictObject({ job_id: z.string(), run_id: RunId }).optional(),
});
export type BriefSnapshot = z.infer<typeof BriefSnapshot>;

/** How the work is done: mode, the processor identity (a code change is an input change), model. */
export const ModelConfigSnapshot = z.strictObject({
  mode: Mode,
  processor: ProcessorRecord,
  model: z.string().optional(),
  params: z.record(z.string(), z.unknown()),
});
export type ModelConfigSnapshot = z.infer<typeof ModelConfigSnapshot>;

/** docs/contracts/doctrine.md: `sha256` is of the doctrine file's bytes; `content` is that file as text. */
export const DoctrineSnapshot = z.strictObject({
  doctrine_id: z.string().min(1),
  version: z.string().min(1),
  sha256: Sha256,
  content: z.string(),
});
export type DoctrineSnapshot = z.infer<typeof DoctrineSnapshot>;

/**
 * docs/contracts/jobs.md: the upstream run a chained stage consumes. `manifest_sha256` is over the upstream
 * manifest's deterministic serialization; `outputs` are hashed from the upstream's bytes on disk.
 */
export const PriorArtifactSnapshot = z.strictObject({
  job_id: z.string().min(1),
  job_type: z.string().min(1),
  run_id: RunId,
  inputs_hash: Sha256,
  manifest_sha256: Sha256,
  outputs: z.array(OutputEntry),
  chain: z.array(ChainLink),
});
export type PriorArtifactSnapshot = z.infer<typeof PriorArtifactSnapshot>;

function parseSnapshot<S extends z.ZodType>(text: string, where: string, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = parseJsonStrict(text);
  } catch (error) {
    throw new SigilError("ERR_RUN_CORRUPT", `${where}: ${(error as Error).message}`);
  }
  return parseWith(schema, value, "ERR_RUN_CORRUPT", where);
}

/** Read one snapshot back from a run directory and parse it with its contract. */
export async function readSnapshot<S extends z.ZodType>(
  runDir: string,
  path: string,
  schema: S,
): Promise<z.infer<S>> {
  const parsed = await readOptionalSnapshot(runDir, path, schema);
  if (parsed === undefined) throw new SigilError("ERR_RUN_CORRUPT", `${join(runDir, path)} is missing`);
  return parsed;
}

/** Like readSnapshot, for snapshots a run may not have (doctrine, prior artifact). */
export async function readOptionalSnapshot<S extends z.ZodType>(
  runDir: string,
  path: string,
  schema: S,
): Promise<z.infer<S> | undefined> {
  const where = join(runDir, path);
  let text: string;
  try {
    text = await readFile(where, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseSnapshot(text, where, schema);
}
