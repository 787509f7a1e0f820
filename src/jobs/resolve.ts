import { type Mode, parseWith, SigilError } from "../core/index.js";
import { loadRegistry, lookupEntry, sourceDigest } from "../supply/index.js";
import {
  assertRelativePath,
  type BriefSnapshot,
  type DoctrineSnapshot,
  type ModelConfigSnapshot,
  type PriorArtifactSnapshot,
  type ProcessorRecord,
  type RunIdBase,
  resolveInside,
  SNAPSHOT_PATHS,
} from "../world/index.js";
import { BRIEF_SCHEMA, type LoadedBrief, parseDataText, readBoundedText } from "./brief.js";
import { resolveDoctrine } from "./doctrine.js";
import type { JobType } from "./job-type.js";
import { lookupJobType } from "./registry.js";
import { resolvePriorArtifact } from "./upstream.js";

export interface ResolveContext {
  /** Absolute, symlink-resolved world root. */
  worldRoot: string;
  doctrineDir: string;
  registryDir: string;
  /** Project root holding processors/ (the local adapter runs processors from source). */
  repoRoot: string;
  /** The --mode flag; the brief's own `mode` is used when this is absent. */
  flagMode?: Mode;
  runIdBase?: RunIdBase;
}

export interface ResolvedJob {
  loaded: LoadedBrief;
  jobType: JobType;
  mode: Mode;
  /** Snapshot path → value: everything the run's identity is made of, nothing else. */
  files: Map<string, unknown>;
}

/** The flag wins only where the brief is silent; a contradiction is an error, never a guess. */
export function resolveMode(briefMode: Mode | undefined, flagMode: Mode | undefined): Mode {
  if (briefMode !== undefined && flagMode !== undefined && briefMode !== flagMode) {
    throw new SigilError("ERR_BRIEF", `--mode ${flagMode} contradicts the brief's mode: ${briefMode}`);
  }
  return flagMode ?? briefMode ?? "mock";
}

async function resolveContext(loaded: LoadedBrief, jobType: JobType): Promise<Record<string, unknown>> {
  const { brief } = loaded;
  let raw: unknown = brief.context ?? {};
  if (brief.context_file !== undefined) {
    const path = await resolveInside(loaded.dir, brief.context_file, "context_file");
    const text = path === undefined ? undefined : await readBoundedText(path, "context_file");
    if (text === undefined || path === undefined) {
      throw new SigilError(
        "ERR_BRIEF",
        `context_file ${brief.context_file} not found next to ${loaded.path}`,
      );
    }
    raw = parseDataText(text, path, "ERR_BRIEF");
  }
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    for (const key of jobType.contextPaths ?? []) {
      const value = (raw as Record<string, unknown>)[key];
      if (typeof value === "string") assertRelativePath(value, `context.${key}`);
    }
  }
  return parseWith(jobType.context, raw, "ERR_BRIEF", `${loaded.path}: context`);
}

async function processorIdentity(jobType: JobType, ctx: ResolveContext): Promise<ProcessorRecord> {
  const { executor } = jobType;
  if (executor.kind === "builtin") {
    return { ref: executor.ref, image_digest: `builtin:${jobType.id}@${jobType.version}` };
  }
  // As in `sigil run` with the local adapter: the image is the digest of the source tree, so a
  // change to the processor's code is a change of input and a new run.
  const entry = lookupEntry(await loadRegistry(ctx.registryDir), executor.ref);
  return { ref: entry.ref, image_digest: await sourceDigest(ctx.repoRoot, entry.source) };
}

async function resolveDoctrineFor(loaded: LoadedBrief, jobType: JobType, ctx: ResolveContext) {
  const ref = loaded.brief.doctrine;
  if (!ref) {
    if (jobType.doctrine === "required") {
      throw new SigilError("ERR_DOCTRINE", `${jobType.id} needs a doctrine: add doctrine: {id, version}`);
    }
    return undefined;
  }
  if (jobType.doctrine === "none") throw new SigilError("ERR_BRIEF", `${jobType.id} takes no doctrine`);
  return resolveDoctrine(ctx.doctrineDir, ref);
}

async function resolveUpstreamFor(
  loaded: LoadedBrief,
  jobType: JobType,
  ctx: ResolveContext,
  depth: number,
): Promise<PriorArtifactSnapshot | undefined> {
  const ref = loaded.brief.upstream;
  if (!jobType.upstream) {
    if (ref) throw new SigilError("ERR_BRIEF", `${jobType.id} is not a chained stage; remove upstream`);
    return undefined;
  }
  if (!ref) throw new SigilError("ERR_UPSTREAM", `${jobType.id} needs an upstream run: add upstream`);
  return resolvePriorArtifact(loaded, ref, jobType.upstream.jobTypes, {
    worldRoot: ctx.worldRoot,
    depth,
    ...(ctx.runIdBase ? { runIdBase: ctx.runIdBase } : {}),
    snapshotsOf: async (upstream, nextDepth) => (await resolveJob(upstream, ctx, nextDepth)).files,
  });
}

/**
 * Resolve a brief into its snapshots, reading only: job type, mode, context, doctrine, upstream
 * and processor identity. Every refusal (ERR_BRIEF, ERR_JOB_TYPE, ERR_DOCTRINE, ERR_UPSTREAM,
 * ERR_PATH_TRAVERSAL) happens here, before anything is written.
 */
export async function resolveJob(loaded: LoadedBrief, ctx: ResolveContext, depth = 0): Promise<ResolvedJob> {
  const { brief } = loaded;
  const jobType = lookupJobType(brief.job_type);
  const mode = resolveMode(brief.mode, ctx.flagMode);
  const context = await resolveContext(loaded, jobType);
  if (!jobType.usesModel && brief.model)
    throw new SigilError("ERR_BRIEF", `${jobType.id} takes no model config`);
  const doctrine: DoctrineSnapshot | undefined = await resolveDoctrineFor(loaded, jobType, ctx);
  const prior = await resolveUpstreamFor(loaded, jobType, ctx, depth);
  const processor = await processorIdentity(jobType, ctx);

  const briefSnapshot: BriefSnapshot = {
    schema: BRIEF_SCHEMA,
    job_id: brief.job_id,
    job_type: jobType.id,
    job_type_version: jobType.version,
    ...(brief.objective === undefined ? {} : { objective: brief.objective }),
    ...(doctrine ? { doctrine: { doctrine_id: doctrine.doctrine_id, version: doctrine.version } } : {}),
    ...(prior ? { upstream: { job_id: prior.job_id, run_id: prior.run_id } } : {}),
  };
  const { name, ...params } = brief.model ?? {};
  const modelConfig: ModelConfigSnapshot = {
    mode,
    processor,
    ...(name === undefined ? {} : { model: name }),
    params,
  };
  const files = new Map<string, unknown>([
    [SNAPSHOT_PATHS.brief, briefSnapshot],
    [SNAPSHOT_PATHS.context, context],
    [SNAPSHOT_PATHS.modelConfig, modelConfig],
  ]);
  if (doctrine) files.set(SNAPSHOT_PATHS.doctrine, doctrine);
  if (prior) files.set(SNAPSHOT_PATHS.priorArtifact, prior);
  return { loaded, jobType, mode, files };
}
