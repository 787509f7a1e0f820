import { Command, CommanderError } from "commander";
import { createRedactor, newUuid7, SigilError, secretValuesFrom, TOOLKIT_VERSION } from "../core/index.js";
import { errorEnvelope } from "../run/index.js";
import { plainErrorBody, redactingStream, renderError } from "./command.js";
import { registerApp } from "./commands/app.js";
import { registerBuild } from "./commands/build.js";
import { registerGc } from "./commands/gc.js";
import { registerImage } from "./commands/image.js";
import { registerIndex } from "./commands/index-db.js";
import { registerInit } from "./commands/init.js";
import { registerJob } from "./commands/job.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerModal } from "./commands/modal.js";
import { registerOrchestrate } from "./commands/orchestrate.js";
import { registerProcessor } from "./commands/processor.js";
import { registerPublish } from "./commands/publish.js";
import { registerRegistry } from "./commands/registry.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerVerify } from "./commands/verify.js";
import { type CliContext, EXIT, processContext } from "./context.js";

export const VERSION = TOOLKIT_VERSION;

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
  registerRun(program, ctx, setExit);
  registerJob(program, ctx, setExit);
  registerVerify(program, ctx, setExit);
  registerIndex(program, ctx, setExit);
  registerMigrate(program, ctx, setExit);
  registerModal(program, ctx, setExit);
  registerGc(program, ctx, setExit);
  registerImage(program, ctx, setExit);
  registerRegistry(program, ctx, setExit);
  registerBuild(program, ctx, setExit);
  registerPublish(program, ctx, setExit);
  registerApp(program, ctx, setExit);
  registerReport(program, ctx, setExit);
  registerInit(program, ctx, setExit);
  registerProcessor(program, ctx, setExit);
  registerOrchestrate(program, ctx, setExit);
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
      renderError(sigil, wantsJson, errorBodyFor(argv), stdout, stderr);
    return sigil.code === "ERR_USAGE" ? EXIT.usage : EXIT.failed;
  }
  return exitCode;
}

/** Run-like commands answer in their own shape even when their command line is wrong. */
function errorBodyFor(argv: readonly string[]) {
  const words = argv.filter((a) => !a.startsWith("-"));
  if (words[0] === "run") return (error: SigilError) => errorEnvelope(newUuid7(), error.code, error.message);
  return plainErrorBody;
}
