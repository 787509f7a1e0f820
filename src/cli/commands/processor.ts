import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, ProcessorRef } from "../../core/index.js";
import { addProcessor } from "../../scaffold/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { RepoFlag } from "../flags.js";
import { renderScaffold } from "./init.js";
import { collect } from "./registry-client.js";

const NewFlags = z.strictObject({
  ref: ProcessorRef,
  repo: RepoFlag.optional(),
  root: z.string().min(1).optional(),
  secret: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, "secret names are UPPER_SNAKE_CASE")).optional(),
  force: z.boolean().optional(),
  json: z.boolean().optional(),
});

export function registerProcessor(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const processor = program.command("processor").description("Scaffold processors.");
  const command = processor
    .command("new")
    .description("Add a processor: source, test, Dockerfile and its registry entry (repo-scoped image name).")
    .requiredOption("--ref <ns/name@ver>", "the new processor's ref")
    .option(
      "--repo <owner/name>",
      "the repository (default: the registry's namespace, else $GITHUB_REPOSITORY)",
    )
    .option("--root <dir>", "the repository's root (default: .)")
    .option("--secret <NAME>", "a secret the processor reads in real mode, by name (repeatable)", collect)
    .option("--force", "replace files that exist already")
    .option("--json", "print what was written as JSON");
  defineCommand(command, ctx, setExit, {
    flags: NewFlags,
    run: async (flags, io) => {
      const result = await addProcessor({
        root: resolve(io.ctx.cwd, flags.root ?? "."),
        ref: flags.ref,
        ...(flags.repo ? { repo: flags.repo } : {}),
        ...(io.env.GITHUB_REPOSITORY ? { envRepo: io.env.GITHUB_REPOSITORY } : {}),
        secrets: flags.secret ?? [],
        force: flags.force === true,
      });
      io.stdout.write(flags.json ? `${canonicalize(result)}\n` : renderScaffold(result));
      return EXIT.ok;
    },
  });
}
