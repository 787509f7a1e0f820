import { relative, resolve, sep } from "node:path";
import {
  type Clock,
  canonicalize,
  type ErrorCode,
  type Logger,
  type Mode,
  type OutputEntry,
  SigilError,
  type Spawn,
  sha256Hex,
  spawnProcess,
  systemClock,
  writeFileAtomic,
} from "../core/index.js";
import {
  type AdapterFactory,
  assertCiSafety,
  createAdapterFactory,
  EXECUTION_ID_PLACEHOLDER,
  runProcessor,
} from "../run/index.js";
import { listChangedFiles, type Selection, selectAll, selectChanged, selectRefs } from "./changed.js";
import { compareRuns, readRunArtifacts } from "./determinism.js";
import { type CheckedEntry, checkProject, type ProjectCheck } from "./project.js";

/** Identical runs per processor: two are enough to catch clocks, randomness and ordering. */
export const PR_LANE_RUNS = 2;
/** Hermetic by definition: processors run from source, as subprocesses (docs/contracts/lanes.md). */
export const PR_LANE_ADAPTER = "local" as const;
export const PR_LANE_REPORT_SCHEMA = "sigil.pr-lane.v1";
const DEFAULT_INPUTS = { schema: "v1" } as const;

export interface VerifierFinding {
  code: string;
  message: string;
}

/**
 * The verifier seam (docs/contracts/verifier.md). The DeterminismVerifier is a later issue; when it lands, the
 * action passes it here and its findings fail the processor. Until then the report says
 * `verifier: "not-available"`.
 */
export type PrLaneVerifier = (run: {
  ref: string;
  worldRoot: string;
  /** Absolute write prefixes of the identical runs. */
  prefixes: readonly string[];
}) => Promise<readonly VerifierFinding[]>;

export interface PrLaneRequest {
  /** The repository under check (in an action: GITHUB_WORKSPACE). */
  root: string;
  /** World root the runs write into; resolved against `root`. */
  world: string;
  configPath?: string;
  /** Must be mock: real is ERR_CI_SAFETY in CI and refused by the lane everywhere else. */
  mode: Mode;
  changedOnly: boolean;
  /** Commit to diff HEAD against when `changedOnly` (PR base sha, or the push's `before`). */
  base?: string;
  repoScope?: string;
  /** Exactly these refs (one chunk of a fanned-out lane, fan-out.ts); overrides `changedOnly`. */
  refs?: readonly string[];
}

export interface PrLaneDeps {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  spawn?: Spawn;
  clock?: Clock;
  verifier?: PrLaneVerifier;
  /** Wraps each phase (validate, one per processor, report): log groups in an action. */
  phase?: <T>(name: string, body: () => Promise<T>) => Promise<T>;
  /** Receives the processors' own NDJSON log lines. */
  onProcessorLog?: (line: string) => void;
}

export interface ProcessorVerdict {
  ref: string;
  verdict: "pass" | "fail";
  /** Why it failed: a code of the error table, and a message holding its fragment. */
  code?: ErrorCode;
  message?: string;
  /** What differed between the identical runs (empty when they were byte-identical). */
  differences: string[];
  /** The outputs of the first run. */
  outputs: OutputEntry[];
  /** sha256 of the bytes of the first run's `outputs.json`. */
  outputs_index_sha256?: string;
  runs: { execution_id: string; status: "success" | "error"; write_prefix?: string }[];
  verifier: "not-available" | "pass" | "fail";
  findings: VerifierFinding[];
  /** Wall time of this processor's subprocesses, all runs. */
  processor_ms: number;
}

export interface PrLaneReport {
  schema: typeof PR_LANE_REPORT_SCHEMA;
  ok: boolean;
  mode: "mock";
  config: { path: string; found: boolean };
  registry: { path: string; entries: number };
  selection: { changed_only: boolean; base?: string } & Selection;
  processors: ProcessorVerdict[];
  timing: { total_ms: number; processors_ms: number; overhead_ms: number };
  /** Where this report is written, relative to the root. */
  summary_path: string;
}

const toPosix = (path: string) => path.split(sep).join("/");
const direct = <T>(_name: string, body: () => Promise<T>) => body();

function slugOf(ref: string): string {
  return ref.replace(/[/@]/g, "-");
}

/**
 * The PR-lane check (docs/contracts/lanes.md): validate the config and every registry entry, then run each
 * selected processor from source, mock mode, local adapter, `PR_LANE_RUNS` times, and require
 * byte-identical outputs and equal stable receipt fields. No secrets are read; nothing leaves
 * the machine. Writes the report to `<world>/pr-lane/summary.json` and returns it.
 */
export async function runPrLane(request: PrLaneRequest, deps: PrLaneDeps): Promise<PrLaneReport> {
  // Before anything is read, spawned or written (docs/contracts/inputs.md).
  assertCiSafety(request.mode, deps.env);
  if (request.mode !== "mock") {
    throw new SigilError("ERR_INPUTS", "the PR lane is hermetic and runs mode=mock only");
  }
  const clock = deps.clock ?? systemClock;
  const phase = deps.phase ?? direct;
  const started = clock.monotonicMs();
  const root = resolve(request.root);
  const world = resolve(root, request.world);

  const project = await phase("validate config and registry", () =>
    checkProject({
      root,
      ...(request.configPath ? { configPath: request.configPath } : {}),
      lane: "pr",
      ...(request.repoScope ? { repoScope: request.repoScope } : {}),
    }),
  );
  const selection = await selectProcessors(project, request, deps);
  deps.logger.info({ event: "pr_lane.selection", ...selection });

  let processorsMs = 0;
  const baseSpawn = deps.spawn ?? spawnProcess;
  const timedSpawn: Spawn = async (spawnRequest) => {
    const result = await baseSpawn(spawnRequest);
    processorsMs += result.elapsedMs;
    return result;
  };
  // The PR lane runs processors from source, hermetically: the local adapter by definition.
  const adapters = createAdapterFactory({
    repoRoot: root,
    spawn: timedSpawn,
    parentEnv: deps.env,
    ...(deps.onProcessorLog ? { onProcessorLog: deps.onProcessorLog } : {}),
  });

  const verdicts: ProcessorVerdict[] = [];
  for (const ref of selection.selected) {
    const checked = project.entries.find((e) => e.entry.ref === ref);
    if (!checked) continue;
    const before = processorsMs;
    const verdict = await phase(`check ${ref}`, () =>
      checkProcessor(checked, project, {
        root,
        world,
        adapters,
        ...deps,
        clock,
        ...(request.repoScope ? { repoScope: request.repoScope } : {}),
      }),
    );
    verdict.processor_ms = processorsMs - before;
    deps.logger.info({
      event: "pr_lane.verdict",
      processor_ref: ref,
      verdict: verdict.verdict,
      code: verdict.code,
    });
    verdicts.push(verdict);
  }

  const summaryFile = resolve(world, "pr-lane", "summary.json");
  const total = Math.round(clock.monotonicMs() - started);
  const report: PrLaneReport = {
    schema: PR_LANE_REPORT_SCHEMA,
    ok: verdicts.every((v) => v.verdict === "pass"),
    mode: "mock",
    config: { path: project.config.path, found: project.config.found },
    registry: { path: project.registryPath, entries: project.entries.length },
    selection: {
      changed_only: request.changedOnly,
      ...(request.changedOnly && request.base ? { base: request.base } : {}),
      ...selection,
    },
    processors: verdicts,
    timing: { total_ms: total, processors_ms: processorsMs, overhead_ms: Math.max(0, total - processorsMs) },
    summary_path: toPosix(relative(root, summaryFile)),
  };
  await phase("write report", () => writeFileAtomic(summaryFile, `${JSON.stringify(report, null, 2)}\n`));
  return report;
}

/** Which processors a lane run checks: the given refs, the changed ones, or all of them. */
export async function selectProcessors(
  project: ProjectCheck,
  request: Pick<PrLaneRequest, "root" | "changedOnly" | "base" | "refs">,
  deps: Pick<PrLaneDeps, "env" | "spawn">,
): Promise<Selection> {
  if (request.refs) return selectRefs(project.entries, request.refs);
  if (!request.changedOnly) return selectAll(project.entries, "every processor (changed-only is off)");
  const changed = await listChangedFiles(
    resolve(request.root),
    request.base ?? "",
    deps.env,
    deps.spawn ?? spawnProcess,
  );
  if ("unknown" in changed) return selectAll(project.entries, `${changed.unknown}: every processor`);
  return selectChanged(project.entries, changed.files, project.config.path);
}

interface CheckContext extends PrLaneDeps {
  root: string;
  repoScope?: string;
  world: string;
  adapters: AdapterFactory;
  clock: Clock;
}

async function checkProcessor(
  checked: CheckedEntry,
  project: ProjectCheck,
  ctx: CheckContext,
): Promise<ProcessorVerdict> {
  const { ref } = checked.entry;
  const verdict: ProcessorVerdict = {
    ref,
    verdict: "fail",
    differences: [],
    outputs: [],
    runs: [],
    verifier: ctx.verifier ? "pass" : "not-available",
    findings: [],
    processor_ms: 0,
  };
  const inputsJson = canonicalize(project.config.config.pr_lane.inputs[ref] ?? DEFAULT_INPUTS);
  const prefixes: string[] = [];
  for (let run = 1; run <= PR_LANE_RUNS; run++) {
    const outcome = await runProcessor(
      {
        ref,
        adapter: PR_LANE_ADAPTER,
        mode: "mock",
        inputsJson,
        writePrefix: resolve(ctx.world, "pr-lane", slugOf(ref), EXECUTION_ID_PLACEHOLDER),
        world: ctx.world,
        lane: "pr",
      },
      {
        repoRoot: ctx.root,
        registryDir: project.registryDir,
        ...(ctx.repoScope ? { repoScope: ctx.repoScope } : {}),
        cwd: ctx.root,
        env: ctx.env,
        logger: ctx.logger,
        clock: ctx.clock,
        adapters: ctx.adapters,
      },
    );
    const { envelope } = outcome;
    verdict.runs.push({
      execution_id: envelope.execution_id,
      status: envelope.status,
      ...(outcome.writePrefix ? { write_prefix: toPosix(relative(ctx.root, outcome.writePrefix)) } : {}),
    });
    if (envelope.status === "error") {
      return {
        ...verdict,
        code: envelope.error.code,
        message: `${ref}, run ${run}: ${envelope.error.message}`,
      };
    }
    if (outcome.writePrefix) prefixes.push(outcome.writePrefix);
  }

  const [first, ...others] = await Promise.all(prefixes.map(readRunArtifacts));
  if (!first) {
    return {
      ...verdict,
      code: "ERR_INTERNAL",
      message: new SigilError("ERR_INTERNAL", "no run left a write prefix").message,
    };
  }
  verdict.outputs = first.outputs;
  verdict.outputs_index_sha256 = sha256Hex(first.outputsIndexBytes);
  verdict.differences = others.flatMap((other) => compareRuns(first, other));
  if (verdict.differences.length > 0) {
    const error = new SigilError(
      "ERR_NONDETERMINISTIC",
      `${ref}: ${verdict.differences.length} difference(s) between ${PR_LANE_RUNS} identical mock runs: ${verdict.differences.slice(0, 3).join("; ")}`,
    );
    return { ...verdict, code: error.code, message: error.message };
  }

  if (ctx.verifier) {
    verdict.findings = [...(await ctx.verifier({ ref, worldRoot: ctx.world, prefixes }))];
    if (verdict.findings.length > 0) {
      const details = verdict.findings.map((f) => `${f.code}: ${f.message}`).join("; ");
      const error = new SigilError("ERR_NONDETERMINISTIC", `${ref}: the verifier found ${details}`);
      return { ...verdict, verifier: "fail", code: error.code, message: error.message };
    }
  }
  return { ...verdict, verdict: "pass" };
}
