import type { Command } from "commander";
import { z } from "zod";
import { canonicalize } from "../../core/index.js";
import type { GcReport } from "../../world/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { WorldFlags, worldOptions } from "../flags.js";

const GcFlags = z.strictObject({
  ...WorldFlags,
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

function renderGc(report: GcReport): string {
  const verb = report.dry_run ? "would remove" : "removed";
  const lines = [`${verb} ${report.removed.length} item(s)`];
  for (const r of report.removed) lines.push(`  ${verb} ${r.kind} ${r.path} (${r.reason})`);
  if (report.dry_run) lines.push("dry run: nothing was removed");
  return `${lines.join("\n")}\n`;
}

export function registerGc(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = worldOptions(
    program
      .command("gc")
      .description(
        "Remove what no run needs: abandoned staging folders, attempts of unsettled runs nobody executes, unreferenced receipt twins.",
      ),
  )
    .option("--dry-run", "print what would be removed and remove nothing")
    .option("--json", "print the report as canonical JSON")
    .addHelpText(
      "after",
      `
A settled run is never touched; a run whose lock is held is left alone; staging folders and
receipt twins younger than 15 minutes are kept (they may belong to a run still writing).`,
    );
  defineCommand(command, ctx, setExit, {
    args: ["worldArg"],
    flags: GcFlags,
    run: async (flags, io) => {
      const root = io.existingWorld(flags.worldArg, flags.world);
      // Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
      const { collectGarbage } = await import("../../world/index.js");
      const report = await collectGarbage(root, { dryRun: flags.dryRun === true });
      io.stdout.write(flags.json ? `${canonicalize(report)}\n` : renderGc(report));
      return EXIT.ok;
    },
  });
}
