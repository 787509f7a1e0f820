import { createHash } from "node:crypto";
import { join } from "node:path";
import type { z } from "zod";
import { parseJsonStrict, Receipt, readdirOrEmpty } from "../core/index.js";
import {
  BriefSnapshot,
  DoctrineSnapshot,
  type ManifestRuntime,
  ModelConfigSnapshot,
  PriorArtifactSnapshot,
  SNAPSHOT_PATHS,
} from "../world/index.js";
import type { ManifestLoader } from "../world/verify/index.js";
import { type Preview, type PreviewBudget, previewOutput } from "./preview.js";
import { readBounded } from "./read-file.js";

/** Snapshots larger than this are not parsed for the report (a brief or config is a few KB). */
const SNAPSHOT_READ_LIMIT = 1024 * 1024;

export interface FileRow {
  path: string;
  bytes: number;
  sha256?: string;
  preview?: Preview;
}

export type RunStatus = "settled" | "pending" | "failed" | "incomplete" | "corrupt";

export interface RunLink {
  job_id: string;
  run_id: string;
}

/** What the report shows of one run folder, read from the World as it is (not as it claims to be). */
export interface RunFacts {
  /** `<job_id>/<run_id>` as found on disk. */
  path: string;
  job: string;
  runId: string;
  /** From the files: the verifier's pending and failed lists refine it (see gather.ts). */
  status: RunStatus;
  jobType?: string;
  processor?: { ref: string; image_digest: string };
  mode?: string;
  doctrine: { doctrine_id: string; version: string; sha256?: string }[];
  /** The run this one consumes (its prior-artifact snapshot, else the end of its chain). */
  upstream?: RunLink;
  chain: RunLink[];
  inputsHash?: string;
  snapshots: FileRow[];
  outputs: FileRow[];
  /** Receipt fields worth reading, in display order, or why there is none to show. */
  receipt?: [string, string][] | { problem: string };
  runtime?: ManifestRuntime;
  /** Why the manifest could not be read (a corrupt run). */
  manifestProblem?: string;
}

function parseSnapshot<S extends z.ZodType>(runDir: string, path: string, schema: S): z.infer<S> | undefined {
  const read = readBounded(runDir, path, SNAPSHOT_READ_LIMIT);
  if (!read || read.size > read.bytes.length) return undefined;
  try {
    const parsed = schema.safeParse(parseJsonStrict(read.bytes.toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function readReceipt(runDir: string): RunFacts["receipt"] {
  const read = readBounded(runDir, "receipt.json", SNAPSHOT_READ_LIMIT);
  if (!read) return undefined;
  let value: unknown;
  try {
    value = parseJsonStrict(read.bytes.toString("utf8"));
  } catch {
    return { problem: "receipt.json is not JSON" };
  }
  const parsed = Receipt.safeParse(value);
  if (!parsed.success) return { problem: "receipt.json does not parse as a receipt" };
  const r = parsed.data;
  return [
    ["execution_id", r.execution_id],
    ["processor_ref", r.processor_ref],
    ["image_digest", r.image_digest],
    ["env_fingerprint", r.env_fingerprint],
    ["inputs_hash", r.inputs_hash],
    ["mode", r.mode],
    ["timestamp_utc", r.timestamp_utc],
    ["duration_ms", String(r.duration_ms)],
    ["processor_info", r.processor_info],
  ];
}

/** Snapshots of a run with no manifest: listed and hashed from disk, as admission would. */
function unsettledSnapshots(runDir: string): FileRow[] {
  const rows: FileRow[] = [];
  for (const item of readdirOrEmpty(join(runDir, "inputs"))) {
    if (!item.isFile()) continue;
    const path = `inputs/${item.name}`;
    const read = readBounded(runDir, path, 64 * 1024 * 1024);
    if (!read) continue;
    rows.push({ path, bytes: read.size, sha256: createHash("sha256").update(read.bytes).digest("hex") });
  }
  return rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One run folder's facts: the manifest when it loads, else its snapshots. */
export async function readRunFacts(
  worldRoot: string,
  runPath: string,
  loadManifest: ManifestLoader,
  budget: PreviewBudget,
): Promise<RunFacts> {
  const runDir = join(worldRoot, runPath);
  const [job = "", runId = ""] = runPath.split("/");
  const base = { path: runPath, job, runId };
  const loaded = await loadManifest(runDir);
  const declared = loaded.ok ? new Set(loaded.manifest.snapshots.map((s) => s.path)) : undefined;
  // Settled runs name their snapshots; only those are opened (most runs have no prior artifact).
  const snapshot = <S extends z.ZodType>(path: string, schema: S) =>
    declared && !declared.has(path) ? undefined : parseSnapshot(runDir, path, schema);
  const modelConfig = snapshot(SNAPSHOT_PATHS.modelConfig, ModelConfigSnapshot);
  const prior = snapshot(SNAPSHOT_PATHS.priorArtifact, PriorArtifactSnapshot);
  const receipt = readReceipt(runDir);
  const mode = modelConfig?.mode;
  const upstreamOf = (chain: readonly RunLink[]): RunLink | undefined => {
    const last = prior ?? chain.at(-1);
    return last ? { job_id: last.job_id, run_id: last.run_id } : undefined;
  };
  if (loaded.ok) {
    const m = loaded.manifest;
    const upstream = upstreamOf(m.chain);
    return {
      ...base,
      status: "settled",
      jobType: m.job_type,
      processor: m.processor,
      ...(mode ? { mode } : {}),
      doctrine: m.doctrine,
      ...(upstream ? { upstream } : {}),
      chain: m.chain,
      inputsHash: m.inputs_hash,
      snapshots: m.snapshots,
      outputs: m.outputs.map((o) => {
        const preview = previewOutput(runDir, o.path, o.bytes, budget);
        return preview ? { ...o, preview } : o;
      }),
      ...(receipt ? { receipt } : {}),
      runtime: m.runtime,
    };
  }
  const brief = parseSnapshot(runDir, SNAPSHOT_PATHS.brief, BriefSnapshot);
  const doctrine = parseSnapshot(runDir, SNAPSHOT_PATHS.doctrine, DoctrineSnapshot);
  const chain = prior ? [...prior.chain, { job_id: prior.job_id, run_id: prior.run_id }] : [];
  const upstream = upstreamOf(chain);
  return {
    ...base,
    status: loaded.missing ? "incomplete" : "corrupt",
    ...(brief ? { jobType: brief.job_type } : {}),
    ...(modelConfig ? { processor: modelConfig.processor } : {}),
    ...(mode ? { mode } : {}),
    doctrine: doctrine
      ? [{ doctrine_id: doctrine.doctrine_id, version: doctrine.version, sha256: doctrine.sha256 }]
      : [],
    ...(upstream ? { upstream } : {}),
    chain,
    snapshots: unsettledSnapshots(runDir),
    outputs: [],
    ...(receipt ? { receipt } : {}),
    ...(loaded.missing ? {} : { manifestProblem: loaded.reason }),
  };
}
