import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  type Clock,
  canonicalize,
  type Logger,
  newUuid7,
  SigilError,
  type Spawn,
  sha256Hex,
} from "../core/index.js";
import {
  type AdapterName,
  createAdapterFactory,
  DEFAULT_ADAPTER,
  EXECUTION_ID_PLACEHOLDER,
  runProcessor,
  scanOutputs,
} from "../run/index.js";
import type { Lane } from "../supply/index.js";
import {
  ATTEMPTS_DIR,
  assertRelativePath,
  BriefSnapshot,
  DoctrineSnapshot,
  ModelConfigSnapshot,
  PriorArtifactSnapshot,
  readOptionalSnapshot,
  readSnapshot,
  runDir as runDirOf,
  SNAPSHOT_PATHS,
} from "../world/index.js";
import type {
  BuiltinExecutor,
  JobSnapshots,
  JobType,
  ProcessorExecutor,
  UpstreamReader,
} from "./job-type.js";
import { attemptDir } from "./run-lifecycle.js";

export interface ExecuteDeps {
  worldRoot: string;
  repoRoot: string;
  registryDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock: Clock;
  lane: Lane;
  /** Where processors run; the local adapter (from source) unless a face asks otherwise. */
  adapter?: AdapterName;
  /** `owner/repo` whose ghcr.io namespace the processor image must be in (see runProcessor). */
  repoScope?: string;
  spawn?: Spawn;
  onProcessorLog?: (line: string) => void;
  signal?: AbortSignal;
}

export interface Attempt {
  /** The folder the attempt wrote `outputs/` (and, for processors, the index and receipt) into. */
  dir: string;
  executionId: string;
}

/** Executors see the snapshots as they are on disk in the run directory, never the brief. */
export async function loadJobSnapshots(dir: string): Promise<JobSnapshots> {
  const context = await readSnapshot(dir, SNAPSHOT_PATHS.context, ModelConfigSnapshot.shape.params);
  const doctrine = await readOptionalSnapshot(dir, SNAPSHOT_PATHS.doctrine, DoctrineSnapshot);
  const prior = await readOptionalSnapshot(dir, SNAPSHOT_PATHS.priorArtifact, PriorArtifactSnapshot);
  return {
    brief: await readSnapshot(dir, SNAPSHOT_PATHS.brief, BriefSnapshot),
    context,
    modelConfig: await readSnapshot(dir, SNAPSHOT_PATHS.modelConfig, ModelConfigSnapshot),
    ...(doctrine ? { doctrine } : {}),
    ...(prior ? { prior } : {}),
  };
}

async function runProcessorAttempt(
  dir: string,
  executor: ProcessorExecutor,
  snapshots: JobSnapshots,
  deps: ExecuteDeps,
): Promise<Attempt> {
  const { mode, processor } = snapshots.modelConfig;
  const payload = { schema: "v1", ...executor.buildPayload(snapshots), mode };
  const outcome = await runProcessor(
    {
      ref: executor.ref,
      adapter: deps.adapter ?? DEFAULT_ADAPTER,
      mode,
      inputsJson: canonicalize(payload),
      writePrefix: join(dir, ATTEMPTS_DIR, EXECUTION_ID_PLACEHOLDER),
      world: deps.worldRoot,
      lane: deps.lane,
    },
    {
      repoRoot: deps.repoRoot,
      registryDir: deps.registryDir,
      ...(deps.repoScope ? { repoScope: deps.repoScope } : {}),
      cwd: deps.cwd,
      env: deps.env,
      logger: deps.logger,
      clock: deps.clock,
      ...(deps.signal ? { signal: deps.signal } : {}),
      adapters: createAdapterFactory({
        repoRoot: deps.repoRoot,
        ...(deps.spawn ? { spawn: deps.spawn } : {}),
        ...(deps.onProcessorLog ? { onProcessorLog: deps.onProcessorLog } : {}),
      }),
    },
  );
  const { envelope } = outcome;
  if (envelope.status === "error") {
    throw SigilError.fromReported(envelope.error.code, envelope.error.message, {
      execution_id: envelope.execution_id,
    });
  }
  // The processor that ran must be the one the snapshots name, or the outputs belong to no input.
  if (envelope.meta.image_digest !== processor.image_digest || !outcome.writePrefix) {
    throw new SigilError(
      "ERR_ADAPTER_INVOCATION",
      `${executor.ref} ran as ${envelope.meta.image_digest} but was admitted as ${processor.image_digest}; its source changed during the run`,
    );
  }
  return { dir: outcome.writePrefix, executionId: envelope.execution_id };
}

function upstreamReader(worldRoot: string, snapshots: JobSnapshots): UpstreamReader {
  return {
    async read(path) {
      const prior = snapshots.prior;
      const entry = prior?.outputs.find((o) => o.path === path);
      if (!prior || !entry) {
        throw new SigilError("ERR_UPSTREAM", `the upstream run has no output ${path}`);
      }
      const bytes = await readFile(join(runDirOf(worldRoot, prior.job_id, prior.run_id), entry.path));
      if (sha256Hex(bytes) !== entry.sha256) {
        throw new SigilError(
          "ERR_UPSTREAM",
          `${prior.job_id}/${prior.run_id}/${path} changed since admission`,
        );
      }
      return bytes;
    },
  };
}

async function runBuiltinAttempt(
  dir: string,
  executor: BuiltinExecutor,
  snapshots: JobSnapshots,
  deps: ExecuteDeps,
): Promise<Attempt> {
  const executionId = newUuid7(deps.clock);
  const attempt = attemptDir(dir, executionId);
  const files = await executor.run(snapshots, upstreamReader(deps.worldRoot, snapshots));
  for (const file of files) {
    assertRelativePath(file.relpath, "output path");
    if (!file.relpath.startsWith("outputs/")) {
      throw new SigilError("ERR_OUTPUT_PATH", `${file.relpath} is not under outputs/`);
    }
    const target = join(attempt, file.relpath);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.bytes, { flag: "wx" });
  }
  await mkdir(join(attempt, "outputs"), { recursive: true });
  // The same outputs index a processor writes (docs/contracts/processor.md), from the bytes on disk.
  await writeFile(join(attempt, "outputs.json"), JSON.stringify(await scanOutputs(attempt)));
  return { dir: attempt, executionId };
}

/** Run one attempt of a job into `<run dir>/.attempts/<execution_id>/`. */
export async function executeAttempt(
  dir: string,
  jobType: JobType,
  snapshots: JobSnapshots,
  deps: ExecuteDeps,
): Promise<Attempt> {
  const { executor } = jobType;
  return executor.kind === "processor"
    ? runProcessorAttempt(dir, executor, snapshots, deps)
    : runBuiltinAttempt(dir, executor, snapshots, deps);
}
