import type { z } from "zod";
import type {
  BriefSnapshot,
  DoctrineSnapshot,
  ModelConfigSnapshot,
  PriorArtifactSnapshot,
} from "../world/index.js";

/**
 * What an executor sees: the snapshots, read back from the run directory. An executor never sees
 * the brief file, the doctrine folder or the upstream manifest, only what was hashed.
 */
export interface JobSnapshots {
  brief: BriefSnapshot;
  /** Already validated by the job type's context schema at admission; parse again to type it. */
  context: Record<string, unknown>;
  modelConfig: ModelConfigSnapshot;
  doctrine?: DoctrineSnapshot;
  prior?: PriorArtifactSnapshot;
}

/** The payload part a processor job builds; mode is added from the model config snapshot. */
export interface ProcessorPayload {
  model?: string;
  params: Record<string, unknown>;
}

/** Runs a registered processor through `runProcessor` and the LocalAdapter. */
export interface ProcessorExecutor {
  kind: "processor";
  ref: string;
  buildPayload(snapshots: JobSnapshots): ProcessorPayload;
}

/** Reads one output of the upstream run, refusing bytes that differ from the prior-artifact snapshot. */
export interface UpstreamReader {
  read(path: string): Promise<Buffer>;
}

export interface OutputFile {
  /** `outputs/…`, like a processor's OutputItem. */
  relpath: string;
  bytes: Uint8Array;
}

/** Deterministic work done in-process: no child process, no network. */
export interface BuiltinExecutor {
  kind: "builtin";
  /** Recorded as the manifest's processor ref, e.g. `builtin/compliance-review@1`. */
  ref: string;
  run(snapshots: JobSnapshots, upstream: UpstreamReader): Promise<OutputFile[]>;
}

export interface JobType {
  id: string;
  /** Bump when the same snapshots would produce different outputs: it is part of the identity. */
  version: number;
  summary: string;
  context: z.ZodType<Record<string, unknown>>;
  /** Context keys that hold paths: checked for traversal before the schema runs. */
  contextPaths?: readonly string[];
  usesModel: boolean;
  doctrine: "required" | "optional" | "none";
  /** Present on chained stages: the job types whose runs this stage may consume. */
  upstream?: { jobTypes: readonly string[] };
  executor: ProcessorExecutor | BuiltinExecutor;
}
