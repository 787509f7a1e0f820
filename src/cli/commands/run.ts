import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import {
  createLogger,
  createRedactor,
  decodeUtf8Strict,
  type Envelope,
  Mode,
  newUuid7,
  parseWith,
  SigilError,
  secretValuesFrom,
} from "../../core/index.js";
import { errorEnvelope, LocalAdapter, runProcessor } from "../../run/index.js";
import { Lane } from "../../supply/index.js";
import { type CliContext, EXIT, worldRootFrom } from "../context.js";

const RunFlags = z.strictObject({
  ref: z.string().min(1),
  adapter: z.enum(["local", "modal"]),
  mode: Mode.optional(),
  world: z.string().min(1).optional(),
  writePrefix: z.string().min(1).optional(),
  inputsJson: z.string().optional(),
  inputsFile: z.string().optional(),
  json: z.boolean().optional(),
  lane: Lane,
  build: z.boolean().optional(),
  imageOverride: z.string().min(1).optional(),
  registry: z.string().optional(),
  root: z.string().optional(),
  repo: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, "owner/name")
    .optional(),
});
type RunFlags = z.infer<typeof RunFlags>;

async function readInputs(flags: RunFlags, ctx: CliContext): Promise<string> {
  if (flags.inputsJson !== undefined && flags.inputsFile !== undefined) {
    throw new SigilError("ERR_USAGE", "give --inputs-json or --inputs-file, not both");
  }
  if (flags.inputsFile === "-") return ctx.readStdin();
  if (flags.inputsFile !== undefined)
    return decodeUtf8Strict(await readFile(resolve(ctx.cwd, flags.inputsFile)), flags.inputsFile);
  return flags.inputsJson ?? '{"schema":"v1"}';
}

function renderHuman(envelope: Envelope, prefix: string | undefined, ctx: CliContext): string {
  if (envelope.status === "error")
    return `✖ ${envelope.error.code}: ${envelope.error.message}\n  execution ${envelope.execution_id}\n`;
  const rel = (p: string) => relative(ctx.cwd, p) || ".";
  const lines = [
    `✔ success  execution ${envelope.execution_id}`,
    `  image     ${envelope.meta.image_digest}`,
    ...envelope.outputs.map((o) => `  output    ${o.path}`),
    `  index     ${envelope.index_path}`,
  ];
  if (prefix) lines.push(`  receipt   ${rel(`${prefix}/receipt.json`)}`, `  folder    ${rel(prefix)}`);
  return `${lines.join("\n")}\n`;
}

export async function runCommand(raw: Record<string, unknown>, ctx: CliContext): Promise<number> {
  const flags = parseWith(RunFlags, raw, "ERR_USAGE", "sigil run");
  const redact = createRedactor(secretValuesFrom(ctx.env));
  const logger = createLogger({ redact, destination: ctx.stderr });
  const root = resolve(ctx.cwd, flags.root ?? ".");
  let outcome: Awaited<ReturnType<typeof runProcessor>>;
  try {
    const inputsJson = await readInputs(flags, ctx);
    outcome = await runProcessor(
      {
        ref: flags.ref,
        adapter: flags.adapter,
        ...(flags.mode ? { mode: flags.mode } : {}),
        inputsJson,
        ...(flags.writePrefix ? { writePrefix: flags.writePrefix } : {}),
        world: worldRootFrom(flags.world, ctx.env),
        lane: flags.lane,
        ...(flags.imageOverride ? { imageOverride: flags.imageOverride } : {}),
      },
      {
        repoRoot: root,
        registryDir: resolve(root, flags.registry ?? "registry/processors"),
        ...repoScope(flags, ctx),
        cwd: ctx.cwd,
        env: ctx.env,
        logger,
        adapters: {
          local: new LocalAdapter({
            repoRoot: root,
            onProcessorLog: (line) => ctx.stderr.write(`${redact(line)}\n`),
          }),
        },
      },
    );
  } catch (error) {
    // Only reading --inputs-file can land here; everything else is an envelope already.
    const sigil = SigilError.from(error, "ERR_INPUTS");
    outcome = { envelope: errorEnvelope(newUuid7(), sigil.code, sigil.message) };
  }
  const { envelope } = outcome;
  // Messages can quote a processor's stderr: the envelope goes through the same filter as logs.
  const text = flags.json ? `${JSON.stringify(envelope)}\n` : renderHuman(envelope, outcome.writePrefix, ctx);
  ctx.stdout.write(redact(text));
  return envelope.status === "success" ? EXIT.ok : EXIT.failed;
}

function repoScope(flags: RunFlags, ctx: CliContext): { repoScope?: string } {
  const scope = flags.repo ?? ctx.env.GITHUB_REPOSITORY;
  return scope ? { repoScope: scope } : {};
}

export function registerRun(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command("run")
    .description(
      "Run one processor (run_processor): validate inputs, run it through an adapter, print one envelope.",
    )
    .requiredOption("--ref <ref>", "processor ref, <ns>/<name>@<version>, e.g. llm/litellm@1")
    .addOption(
      new Option("--adapter <adapter>", "where the processor runs")
        .choices(["local", "modal"])
        .default("local"),
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
    .option("--inputs-file <path>", "read the inputs payload from a file ('-' for stdin)")
    .option("--world <dir>", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option(
      "--write-prefix <template>",
      "where outputs go, inside the world; {execution_id} is replaced (default: <world>/outputs/<ns>-<name>-v<ver>/{execution_id}/)",
    )
    .option("--json", "print exactly one JSON envelope on stdout (logs stay on stderr)")
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
Exit codes: 0 success, 1 error envelope, 2 command-line error.
Logs: NDJSON on stderr (execution.start … execution.settle), secrets masked.

Example:
  sigil run --ref llm/litellm@1 --adapter local --mode mock \\
    --write-prefix "artifacts/outputs/demo/{execution_id}/" \\
    --inputs-json '{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}' --json`,
    )
    .action(async (options: Record<string, unknown>) => {
      setExit(await runCommand(options, ctx));
    });
}

export { EXIT };
