import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, ProcessorRef } from "../../core/index.js";
import { DEFAULT_EXAMPLE_REF, initRepository, type ScaffoldResult } from "../../scaffold/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { RepoFlag } from "../flags.js";

const InitFlags = z.strictObject({
  dir: z.string().min(1).optional(),
  repo: RepoFlag,
  ref: ProcessorRef.optional(),
  force: z.boolean().optional(),
  json: z.boolean().optional(),
});

/** What a scaffold wrote and what to do next, for a terminal. */
export function renderScaffold(result: ScaffoldResult): string {
  const lines = [`wrote ${result.written.length + result.overwritten.length} file(s) in ${result.root}:`];
  for (const path of result.written) lines.push(`  + ${path}`);
  for (const path of result.overwritten) lines.push(`  ! ${path} (replaced)`);
  for (const path of result.kept) lines.push(`  = ${path} (kept)`);
  lines.push("", "next steps:", ...result.next_steps.map((step) => `  ${step}`));
  return `${lines.join("\n")}\n`;
}

export function registerInit(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = program
    .command("init")
    .description(
      "Scaffold a SIGIL.ZERO repository: config, an example processor, doctrine, a brief, both lanes.",
    )
    .argument("[dir]", "the repository's root (default: .)")
    .requiredOption("--repo <owner/name>", "the repository: images live under ghcr.io/<owner>/<name>/")
    .option("--ref <ns/name@ver>", `the example processor (default ${DEFAULT_EXAMPLE_REF})`)
    .option("--force", "replace files that exist already")
    .option("--json", "print what was written as JSON");
  defineCommand(command, ctx, setExit, {
    args: ["dir"],
    flags: InitFlags,
    run: async (flags, io) => {
      const result = await initRepository({
        root: resolve(io.ctx.cwd, flags.dir ?? "."),
        repo: flags.repo,
        ...(flags.ref ? { ref: flags.ref } : {}),
        force: flags.force === true,
      });
      io.stdout.write(flags.json ? `${canonicalize(result)}\n` : renderScaffold(result));
      return EXIT.ok;
    },
  });
}
