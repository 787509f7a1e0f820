import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { type Spawn, silentLogger, spawnProcess } from "../../src/core/index.js";
import type { JobRunDeps, ResolveContext } from "../../src/jobs/index.js";
import { admitRun, settleRun } from "../../src/jobs/index.js";
import { type Manifest, readManifest } from "../../src/world/index.js";
import { REPO_ROOT } from "./temp.js";

/** Governed-job test scaffolding: real processors, doctrine and registry from the repo. */
export const REGISTRY_DIR = join(REPO_ROOT, "registry/processors");
export const DOCTRINE_DIR = join(REPO_ROOT, "doctrine");

export function jobDeps(overrides: Partial<JobRunDeps> = {}): JobRunDeps {
  return {
    repoRoot: REPO_ROOT,
    registryDir: REGISTRY_DIR,
    doctrineDir: DOCTRINE_DIR,
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH },
    logger: silentLogger,
    ...overrides,
  };
}

export function resolveCtx(worldRoot: string, overrides: Partial<ResolveContext> = {}): ResolveContext {
  return {
    worldRoot,
    doctrineDir: DOCTRINE_DIR,
    registryDir: REGISTRY_DIR,
    repoRoot: REPO_ROOT,
    ...overrides,
  };
}

/** The real spawn helper, counting how often it is called. */
export function countingSpawn(): { spawn: Spawn; count: () => number } {
  let calls = 0;
  return {
    spawn: (request) => {
      calls++;
      return spawnProcess(request);
    },
    count: () => calls,
  };
}

export type BriefObject = Record<string, unknown>;

export function instagramBrief(overrides: BriefObject = {}): BriefObject {
  return {
    schema: "sigil.brief/v1",
    job_id: "acme-copy",
    job_type: "brand.instagram_copy",
    objective: "Announce the launch.",
    context: {
      brand: "Acme Outdoors",
      product: "Trailblazer 2",
      audience: "trail runners",
      key_points: ["lighter", "recycled upper"],
      hashtags: ["trailrunning"],
    },
    model: { name: "gpt-4o-mini", temperature: 0.7, max_tokens: 200 },
    doctrine: { id: "brand-voice", version: "v1" },
    ...overrides,
  };
}

export function reviewBrief(upstream: unknown, overrides: BriefObject = {}): BriefObject {
  return {
    job_id: "acme-review",
    job_type: "brand.compliance_review",
    upstream,
    doctrine: { id: "brand-voice", version: "v2" },
    context: { subject: "outputs/response.txt" },
    ...overrides,
  };
}

/** Write a brief as YAML (or JSON when the name ends in .json) and return its path. */
export async function writeBrief(dir: string, name: string, brief: BriefObject): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, name.endsWith(".json") ? JSON.stringify(brief) : stringify(brief));
  return path;
}

/**
 * A settled run written through the World's own admit and settle (no processor): for upstream
 * runs whose outputs a test wants to control byte by byte.
 */
export async function writeSettledRun(
  worldRoot: string,
  run: { jobId: string; jobType: string; seed: string; outputs: Record<string, string | Uint8Array> },
): Promise<{ runDir: string; manifest: Manifest }> {
  const admission = await admitRun({
    worldRoot,
    jobId: run.jobId,
    files: new Map([["inputs/brief.resolved.json", { seed: run.seed }]]),
    proposalId: `test-${run.seed}`,
  });
  if (admission.kind !== "admitted") {
    const manifest = await readManifest(admission.runDir);
    if (!manifest) throw new Error("unreachable");
    return { runDir: admission.runDir, manifest };
  }
  await rewriteOutputs(admission.runDir, run.outputs);
  const manifest = await settleRun({
    runDir: admission.runDir,
    jobId: run.jobId,
    jobType: run.jobType,
    runId: admission.runId,
    snapshots: admission.snapshots,
    doctrine: [],
    processor: { ref: "test/synthetic@1", image_digest: "test:synthetic" },
    chain: [],
    runtime: { started_at: "t0", finished_at: "t1", queue_job_id: "q", langfuse_trace_id: null },
  });
  return { runDir: admission.runDir, manifest };
}

export async function rewriteOutputs(runDir: string, outputs: Record<string, string | Uint8Array>) {
  for (const [path, bytes] of Object.entries(outputs)) {
    await mkdir(dirname(join(runDir, path)), { recursive: true });
    await writeFile(join(runDir, path), bytes);
  }
}
