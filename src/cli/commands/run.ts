import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { decodeUtf8Strict, type Envelope, Mode, newUuid7, SigilError } from "../../core/index.js";
import { ADAPTER_NAMES, createAdapterFactory, errorEnvelope, runProcessor } from "../../run/index.js";
import { Lane } from "../../supply/index.js";
import { type CommandIo, defineCommand, exitCodeFor, type LogFormat, resolveLogFormat } from "../command.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../context.js";
import { LogFormatFlag, RepoFlag } from "../flags.js";
import { modalSettingsFor } from "../modal-settings.js";

const RunFlags = z.strictObject({
  ref: z.string().min(1),
  adapter: z.enum(ADAPTER_NAMES),
  mode: Mode.optional(),
  world: z.string().min(1).optional(),
  writePrefix: z.string().min(1).optional(),
  inputsJson: z.string().optional(),
  inputsFile: z.string().min(1).optional(),
  json: z.boolean().optional(),
  logFormat: LogFormatFlag.optional(),
  lane: Lane,
  build: z.boolean().optional(),
  imageOverride: z.string().min(1).optional(),
  registry: z.string().min(1).optional(),
  root: z.string().min(1).optional(),
  repo: RepoFlag.optional(),
});
type RunFlags = z.infer<typeof RunFlags>;

async function readInputs(flags: RunFlags, io: CommandIo): Promise<string> {
  if (flags.inputsJson !== undefined && flags.inputsFile !== undefined)
    throw new SigilError("ERR_USAGE", "give --inputs-json or --inputs-file, not both");
  if (flags.inputsFile === "-") return decodeUtf8Strict(await io.ctx.readStdin(), "standard input");
  if (flags.inputsFile !== undefined) {
    const path = resolve(io.ctx.cwd, flags.inputsFile);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new SigilError(
        "ERR_INPUTS",
        `cannot read --inputs-file ${flags.inputsFile}: ${(error as Error).message}`,
      );
    }
    return decodeUtf8Strict(bytes, flags.inputsFile);
  }
  return flags.inputsJson ?? '{"schema":"v1"}';
}

function renderHuman(envelope: Envelope, prefix: string | undefined, io: CommandIo): string {
  const { colors } = io;
  if (envelope.status === "error")
    return `${colors.red("✖")} ${colors.bold(envelope.error.code)}: ${envelope.error.message}\n  ${colors.dim(`execution ${envelope.execution_id}`)}\n`;
  const rel = (p: string) => relative(io.ctx.cwd, p) || ".";
  const label = (name: string) => colors.dim(name.padEnd(9));
  const lines = [
    `${colors.green("✔")} ${colors.bold("success")}  ${colors.dim(`execution ${envelope.execution_id}`)}`,
    `  ${label("image")} ${envelope.meta.image_digest}`,
    ...envelope.outputs.map((o) => `  ${label("output")} ${o.path}`),
    `  ${label("index")} ${envelope.index_path}`,
  ];
  if (prefix)
    lines.push(
      `  ${label("receipt")} ${rel(`${prefix}/receipt.json`)}`,
      `  ${label("folder")} ${rel(prefix)}`,
    );
  return `${lines.join("\n")}\n`;
}

async function runCommand(flags: RunFlags, io: CommandIo): Promise<number> {
  const format = resolveLogFormat(flags.logFormat, io.env, io.stderr);
  const logger = io.logger(format);
  const root = resolve(io.ctx.cwd, flags.root ?? ".");
  const repoScope = flags.repo ?? io.env.GITHUB_REPOSITORY;
  const inputsJson = await readInputs(flags, io);
  const outcome = await runProcessor(
    {
      ref: flags.ref,
      adapter: flags.adapter,
      ...(flags.mode ? { mode: flags.mode } : {}),
      inputsJson,
      ...(flags.writePrefix ? { writePrefix: flags.writePrefix } : {}),
      world: io.worldRoot(undefined, flags.world),
      lane: flags.lane,
      ...(flags.imageOverride ? { imageOverride: flags.imageOverride } : {}),
    },
    {
      repoRoot: root,
      registryDir: resolve(root, flags.registry ?? "registry/processors"),
      ...(repoScope ? { repoScope } : {}),
      cwd: io.ctx.cwd,
      env: io.ctx.env,
      logger,
      signal: io.signal,
      adapters: createAdapterFactory({
        repoRoot: root,
        onProcessorLog: processorLogSink(io, format),
        modal: modalSettingsFor(flags.lane, io.ctx.env, logger),
      }),
    },
  );
  const { envelope } = outcome;
  io.stdout.write(
    flags.json ? `${JSON.stringify(envelope)}\n` : renderHuman(envelope, outcome.writePrefix, io),
  );
  return envelope.status === "success" ? EXIT.ok : exitCodeFor(envelope.error.code);
}

/** A processor's own NDJSON lines follow the same format decision as ours. */
export function processorLogSink(io: CommandIo, format: LogFormat): (line: string) => void {
  const stream = io.logStream(format);
  return (line) => stream.write(`${line}\n`);
}

export function registerRun(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = program
    .command("run")
    .description(
      "Run one processor (run_processor): validate inputs, run it through an adapter, print one envelope.",
    )
    .requiredOption("--ref <ref>", "processor ref, <ns>/<name>@<version>, e.g. llm/litellm@1")
    .addOption(
      new Option("--adapter <adapter>", "where the processor runs").choices(ADAPTER_NAMES).default("local"),
    )
    .addOption(
      new Option(
        "--mode <mode>",
        "mock (offline, byte-stable) or real (calls the provider; refused in CI)",
      ).choices(["mock", "real"]),
    )
    .option(
      "--inputs-json <json>",
      'inputs payload, schema v1: {"schema":"v1","model":…,"params":{…},"files":{…}}',
    )
    .option("--inputs-file <path>", "read the inputs payload from a file ('-' for stdin); strict UTF-8")
    .option("--world <dir>", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option(
      "--write-prefix <template>",
      "where outputs go, inside the world; {execution_id} is replaced (default: <world>/outputs/<ns>-<name>-v<ver>/{execution_id}/)",
    )
    .option("--json", "print exactly one JSON envelope on stdout (logs stay on stderr)")
    .addOption(logFormatOption())
    .addOption(
      new Option("--lane <lane>", "supply-chain lane: pr and dev allow tags, staging and main need digests")
        .choices(["pr", "dev", "staging", "main"])
        .default("dev"),
    )
    .option("--build", "run from source (PR lane); the local adapter always does")
    .option(
      "--image-override <image>",
      "run another image than the registry's (dev lane, modal adapter only)",
    )
    .option("--registry <dir>", "registry entries folder (default: <root>/registry/processors)")
    .option("--root <dir>", "project root holding registry/ and processors/ (default: .)")
    .option(
      "--repo <owner/name>",
      "repository whose ghcr.io namespace images must be in (default: $GITHUB_REPOSITORY)",
    )
    .addHelpText(
      "after",
      `
Exit codes: 0 success, 1 error envelope, 2 command-line error (ERR_USAGE, ERR_WRITE_PREFIX),
130/143 interrupted by SIGINT/SIGTERM (the processor's whole process group is stopped).
Output: a short summary on stdout (colour on a terminal, never with NO_COLOR), or with --json
exactly one envelope. Logs: NDJSON lifecycle events on stderr when stderr is not a terminal or
with --log-format json; on a terminal only warnings and errors. Secrets are masked everywhere.

Example:
  sigil run --ref llm/litellm@1 --adapter local --mode mock \\
    --write-prefix "artifacts/outputs/demo/{execution_id}/" \\
    --inputs-json '{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}' --json`,
    );
  defineCommand(command, ctx, setExit, {
    flags: RunFlags,
    // A run that fails before it starts still answers with an envelope, as the contract says.
    errorBody: (error) => errorEnvelope(newUuid7(), error.code, error.message),
    run: runCommand,
  });
}

export function logFormatOption(): Option {
  return new Option(
    "--log-format <format>",
    "json: NDJSON events on stderr; human: warnings and errors only (default: human on a terminal, else json)",
  ).choices(["json", "human"]);
}
