import { Command, CommanderError } from "commander";
import { createRedactor, newUuid7, SigilError, secretValuesFrom } from "../core/index.js";
import { errorEnvelope } from "../run/index.js";
import { registerGc } from "./commands/gc.js";
import { registerIndex } from "./commands/index-db.js";
import { registerJob } from "./commands/job.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerRun } from "./commands/run.js";
import { registerVerify } from "./commands/verify.js";
import { type CliContext, EXIT, processContext } from "./context.js";

export const VERSION = "0.1.0";

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const wantsJson = argv.includes("--json");
  const program = new Command()
    .name("sigil")
    .description("SIGIL.ZERO: run governed AI processors deterministically, and prove it.")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError(!wantsJson)
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    });
  const setExit = (code: number) => {
    exitCode = code;
  };
  registerRun(program, ctx, setExit);
  registerVerify(program, ctx, setExit);
  registerIndex(program, ctx, setExit);
  registerMigrate(program, ctx, setExit);
  registerJob(program, ctx, setExit);
  registerGc(program, ctx, setExit);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok; // --help, --version
      if (wantsJson) {
        const envelope = errorEnvelope(
          newUuid7(),
          "ERR_USAGE",
          new SigilError("ERR_USAGE", error.message.replace(/^error: /, "")).message,
        );
        ctx.stdout.write(`${JSON.stringify(envelope)}\n`);
      }
      return EXIT.usage;
    }
    // Domain errors arrive as SigilErrors; anything else is a bug, said as one.
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    const redact = createRedactor(secretValuesFrom(ctx.env));
    if (wantsJson)
      ctx.stdout.write(redact(`${JSON.stringify(errorEnvelope(newUuid7(), sigil.code, sigil.message))}\n`));
    else ctx.stderr.write(redact(`✖ ${sigil.code}: ${sigil.message}\n`));
    return sigil.code === "ERR_USAGE" ? EXIT.usage : EXIT.failed;
  }
  return exitCode;
}
