import { relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { Mode } from "../../core/index.js";
import type { JobRunResult } from "../../jobs/index.js";
import { Lane } from "../../supply/index.js";
import { type CommandIo, defineCommand, type ErrorBody, resolveLogFormat } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { LogFormatFlag, RepoFlag } from "../flags.js";
import { logFormatOption, processorLogSink } from "./run.js";

const JobRunFlags = z.strictObject({
  brief: z.string().min(1),
  mode: Mode.optional(),
  world: z.string().min(1).optional(),
  root: z.string().min(1).optional(),
  registry: z.string().min(1).optional(),
  doctrine: z.string().min(1).optional(),
  lane: Lane,
  repo: RepoFlag.optional(),
  lockTimeout: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "seconds")
    .transform(Number)
    .pipe(z.number().positive())
    .optional(),
  failOnVerdict: z.boolean().optional(),
  json: z.boolean().optional(),
  logFormat: LogFormatFlag.optional(),
});
type JobRunFlags = z.infer<typeof JobRunFlags>;

/** `sigil job run --json` on failure: the run's identity when it is known, never an invented one. */
const jobErrorBody: ErrorBody = (error) => {
  const { job_id, run_id, execution_id } = error.details;
  return {
    status: "error",
    ...(typeof job_id === "string" ? { job_id } : {}),
    ...(typeof run_id === "string" ? { run_id } : {}),
    ...(typeof execution_id === "string" ? { execution_id } : {}),
    error: { code: error.code, message: error.message },
  };
};

/** The one JSON value `sigil job run --json` prints on success. */
export function jobResultJson(result: JobRunResult) {
  const { manifest } = result;
  const base = `world://${manifest.job_id}/${manifest.run_id}`;
  return {
    status: "success" as const,
    job_id: result.job_id,
    job_type: result.job_type,
    run_id: result.run_id,
    inputs_hash: result.inputs_hash,
    mode: result.mode,
    run: base,
    manifest: `${base}/manifest.json`,
    outputs: manifest.outputs.map((o) => ({ ...o, path: `${base}/${o.path}` })),
    processor: manifest.processor,
    doctrine: manifest.doctrine,
    chain: manifest.chain,
    queue_job_id: result.queue_job_id,
    ...(result.replayed_from ? { replayed_from: result.replayed_from } : {}),
    ...(result.verdict ? { verdict: result.verdict } : {}),
    ...(result.trace_id ? { langfuse_trace_id: result.trace_id } : {}),
  };
}

function renderHuman(result: JobRunResult, io: CommandIo): string {
  const { manifest } = result;
  const { colors } = io;
  const rel = (p: string) => relative(io.ctx.cwd, p) || ".";
  const head = result.replayed_from
    ? `${colors.cyan("↺")} ${colors.bold("replayed")}  ${manifest.job_id}/${manifest.run_id}  ${colors.dim(`(replayed_from ${result.replayed_from}; nothing executed)`)}`
    : `${colors.green("✔")} ${colors.bold("executed")}  ${manifest.job_id}/${manifest.run_id}`;
  const lines = [
    head,
    `  job type  ${manifest.job_type} · ${result.mode}`,
    `  run       ${rel(result.run_dir)}/`,
    `  inputs    ${manifest.inputs_hash}`,
    `  processor ${manifest.processor.ref} (${manifest.processor.image_digest})`,
    ...manifest.doctrine.map(
      (d) => `  doctrine  ${d.doctrine_id} ${d.version} (sha256 ${d.sha256.slice(0, 12)}…)`,
    ),
    ...manifest.chain.map((c) => `  upstream  ${c.job_id}/${c.run_id}`),
    ...manifest.outputs.map((o) => `  output    ${o.path} (${o.bytes} bytes)`),
    ...(result.verdict ? [`  verdict   ${result.verdict}`] : []),
    `  manifest  ${rel(resolve(result.run_dir, "manifest.json"))}`,
  ];
  return `${lines.join("\n")}\n`;
}

async function jobRunCommand(flags: JobRunFlags, io: CommandIo): Promise<number> {
  const format = resolveLogFormat(flags.logFormat, io.env, io.stderr);
  const logger = io.logger(format);
  // Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
  const [{ runJob }, { tracerFromEnv }] = await Promise.all([
    import("../../jobs/index.js"),
    import("../../observability/index.js"),
  ]);
  const tracer = await tracerFromEnv(io.ctx.env, logger);
  const root = resolve(io.ctx.cwd, flags.root ?? ".");
  try {
    const result = await runJob(
      {
        briefPath: flags.brief,
        world: io.worldRoot(undefined, flags.world),
        ...(flags.mode ? { mode: flags.mode } : {}),
      },
      {
        repoRoot: root,
        registryDir: resolve(root, flags.registry ?? "registry/processors"),
        doctrineDir: resolve(root, flags.doctrine ?? "doctrine"),
        cwd: io.ctx.cwd,
        env: io.ctx.env,
        logger,
        tracer,
        lane: flags.lane,
        ...((flags.repo ?? io.env.GITHUB_REPOSITORY)
          ? { repoScope: flags.repo ?? io.env.GITHUB_REPOSITORY }
          : {}),
        ...(flags.lockTimeout ? { lockTimeoutMs: flags.lockTimeout * 1000 } : {}),
        onProcessorLog: processorLogSink(io, format),
        signal: io.signal,
      },
    );
    io.stdout.write(flags.json ? `${JSON.stringify(jobResultJson(result))}\n` : renderHuman(result, io));
    return flags.failOnVerdict && result.verdict === "FAIL" ? EXIT.failed : EXIT.ok;
  } finally {
    await tracer.shutdown();
  }
}

const JobTypesFlags = z.strictObject({ json: z.boolean().optional() });

async function jobTypesCommand(flags: z.infer<typeof JobTypesFlags>, io: CommandIo): Promise<number> {
  const { JOB_TYPES } = await import("../../jobs/index.js");
  const types = [...JOB_TYPES.values()].map((t) => ({
    job_type: t.id,
    version: t.version,
    summary: t.summary,
    executor: t.executor.ref,
    doctrine: t.doctrine,
    ...(t.upstream ? { upstream: [...t.upstream.jobTypes] } : {}),
  }));
  if (flags.json) io.stdout.write(`${JSON.stringify(types)}\n`);
  else
    io.stdout.write(
      `${types.map((t) => `${t.job_type}@${t.version}  ${t.executor}  doctrine ${t.doctrine}${t.upstream ? `  chained on ${t.upstream.join(", ")}` : ""}\n  ${t.summary}`).join("\n")}\n`,
    );
  return EXIT.ok;
}

export function registerJob(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const job = program
    .command("job")
    .description("Governed jobs: run a brief into a content-addressed run in the World, or replay it.");
  const run = job
    .command("run")
    .description(
      "Propose a job from a brief: admit (snapshot inputs, derive run_id), execute, settle the manifest. A run that already exists is replayed, not executed.",
    )
    .argument("<brief>", "brief file (YAML or JSON)")
    .addOption(
      new Option(
        "--mode <mode>",
        "mock (offline, byte-stable) or real (refused in CI); default: the brief's, else mock",
      ).choices(["mock", "real"]),
    )
    .option("--world <dir>", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--root <dir>", "project root holding registry/, processors/ and doctrine/ (default: .)")
    .option("--registry <dir>", "registry entries folder (default: <root>/registry/processors)")
    .option("--doctrine <dir>", "doctrine folder (default: <root>/doctrine)")
    .addOption(
      new Option("--lane <lane>", "supply-chain lane of the processor run")
        .choices(["pr", "dev", "staging", "main"])
        .default("dev"),
    )
    .option(
      "--repo <owner/name>",
      "repository whose ghcr.io namespace images must be in (default: $GITHUB_REPOSITORY)",
    )
    .option(
      "--lock-timeout <seconds>",
      "how long to wait for another process running the same run (default 600)",
    )
    .option(
      "--fail-on-verdict",
      "exit 1 when the run's verdict is FAIL (job types that judge, e.g. a compliance review)",
    )
    .option("--json", "print exactly one JSON value on stdout (logs stay on stderr)")
    .addOption(logFormatOption())
    .addHelpText(
      "after",
      `
Exit codes: 0 success (executed or replayed), 1 error (or a FAIL verdict with --fail-on-verdict),
2 command-line error, 130/143 interrupted (the run is left unsettled, never half-written: the next
proposal takes it over).
Layout: <world>/<job_id>/<run_id>/{inputs/*.json, outputs/…, manifest.json}
Tracing: SIGIL_TRACING=langfuse with LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY (LANGFUSE_BASE_URL).

Examples:
  sigil job run examples/briefs/instagram-copy.yaml --mode mock --json
  sigil job run examples/briefs/compliance-review.yaml --mode mock --json   # chained on the first`,
    );
  defineCommand(run, ctx, setExit, {
    args: ["brief"],
    flags: JobRunFlags,
    errorBody: jobErrorBody,
    run: jobRunCommand,
  });
  const types = job
    .command("types")
    .description("List the registered job types.")
    .option("--json", "print one JSON array");
  defineCommand(types, ctx, setExit, { flags: JobTypesFlags, run: jobTypesCommand });
}
