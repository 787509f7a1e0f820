import { Command, CommanderError } from "commander";
import { createRedactor, newUuid7, SigilError, secretValuesFrom, TOOLKIT_VERSION } from "../core/index.js";
import { type ErrorBody, plainErrorBody, redactingStream, renderError } from "./command.js";
import { type CliContext, EXIT, processContext } from "./context.js";

export const VERSION = TOOLKIT_VERSION;

type Register = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void;

/**
 * Every command, in help order: the top-level names it registers and its module. Start-up is
 * most of a short `sigil run`'s overhead, so a command line naming one of them loads that module
 * alone (the bundle evaluates a module on its first import); help and unknown commands load all.
 */
export const COMMANDS: ReadonlyArray<readonly [readonly string[], () => Promise<Register>]> = [
  [["run"], async () => (await import("./commands/run.js")).registerRun],
  [["job"], async () => (await import("./commands/job.js")).registerJob],
  [["verify"], async () => (await import("./commands/verify.js")).registerVerify],
  [["reindex", "index", "runs"], async () => (await import("./commands/index-db.js")).registerIndex],
  [["migrate"], async () => (await import("./commands/migrate.js")).registerMigrate],
  [["modal"], async () => (await import("./commands/modal.js")).registerModal],
  [["gc"], async () => (await import("./commands/gc.js")).registerGc],
  [["image"], async () => (await import("./commands/image.js")).registerImage],
  [["registry"], async () => (await import("./commands/registry.js")).registerRegistry],
  [["build"], async () => (await import("./commands/build.js")).registerBuild],
  [["publish"], async () => (await import("./commands/publish.js")).registerPublish],
  [["app"], async () => (await import("./commands/app.js")).registerApp],
  [["report"], async () => (await import("./commands/report.js")).registerReport],
  [["init"], async () => (await import("./commands/init.js")).registerInit],
  [["processor"], async () => (await import("./commands/processor.js")).registerProcessor],
  [["orchestrate"], async () => (await import("./commands/orchestrate.js")).registerOrchestrate],
];

/** The modules a command line needs: the one its first word names, or all (help, a typo). */
async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const named = COMMANDS.find(([names]) => names.includes(argv[0] ?? ""));
  return Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const wantsJson = argv.includes("--json");
  const redact = createRedactor(secretValuesFrom(ctx.env));
  const stdout = redactingStream(ctx.stdout, redact);
  const stderr = redactingStream(ctx.stderr, redact);
  const program = new Command()
    .name("sigil")
    .description("SIGIL.ZERO: run governed AI processors deterministically, and prove it.")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError(!wantsJson)
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      // With --json the one JSON value says what went wrong; commander's own text would repeat it.
      writeErr: (text) => (wantsJson ? undefined : stderr.write(text)),
    });
  const setExit = (code: number) => {
    exitCode = code;
  };
  for (const register of await commandsFor(argv)) register(program, ctx, setExit);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    // Actions never throw (the boundary maps their errors); what lands here is commander's.
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok; // --help, --version
    const sigil =
      error instanceof CommanderError
        ? new SigilError("ERR_USAGE", error.message.replace(/^error: /, ""))
        : SigilError.from(error, "ERR_INTERNAL");
    if (wantsJson || error instanceof CommanderError === false)
      renderError(sigil, wantsJson, await errorBodyFor(argv), stdout, stderr);
    return sigil.code === "ERR_USAGE" ? EXIT.usage : EXIT.failed;
  }
  return exitCode;
}

/** Run-like commands answer in their own shape even when their command line is wrong. */
async function errorBodyFor(argv: readonly string[]): Promise<ErrorBody> {
  const words = argv.filter((a) => !a.startsWith("-"));
  if (words[0] !== "run") return plainErrorBody;
  const { errorEnvelope } = await import("../run/index.js");
  return (error: SigilError) => errorEnvelope(newUuid7(), error.code, error.message);
}
