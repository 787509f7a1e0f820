import type { Command } from "commander";
import { z } from "zod";
import { canonicalize } from "../../core/index.js";
import type { MigrateReport } from "../../world/migrations/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { WorldFlags, worldOptions } from "../flags.js";
import { progressLine } from "./verify.js";

function renderMigrate(report: MigrateReport): string {
  const verb = report.dry_run ? "would migrate" : "migrated";
  const lines = [
    `${verb} ${report.steps.length} of ${report.runs} run(s); ${report.already_current} already current`,
  ];
  for (const step of report.steps.slice(0, 50)) {
    lines.push(
      `  ${step.run}: v${step.from} → v${step.to} (${step.migrations.map((m) => `${m.id}: ${m.reason}`).join("; ")})`,
    );
  }
  if (report.steps.length > 50) lines.push(`  … and ${report.steps.length - 50} more`);
  for (const s of report.skipped) lines.push(`  skipped ${s.run}: ${s.reason}`);
  if (report.unsettled.length > 0)
    lines.push(
      `  ${report.unsettled.length} unsettled run folder(s) without a manifest left alone (see sigil verify)`,
    );
  if (report.dry_run) lines.push("dry run: nothing was written");
  return `${lines.join("\n")}\n`;
}

const MigrateFlags = z.strictObject({
  ...WorldFlags,
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

export function registerMigrate(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = worldOptions(
    program
      .command("migrate")
      .description("Bring every run manifest of a world to the current schema version."),
  )
    .option("--dry-run", "print the plan and write nothing")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Each manifest is backed up to <world>/.sigil/backups/<job>/<run>/ and replaced atomically;
job_id, run_id, snapshots and their hashes never change, and migration_history records each
step. Rerunning is safe: migrated manifests are left as they are.`,
    );
  defineCommand(command, ctx, setExit, {
    args: ["worldArg"],
    flags: MigrateFlags,
    run: async (flags, io) => {
      const root = io.existingWorld(flags.worldArg, flags.world);
      const onProgress = progressLine(io, flags.dryRun ? "planning" : "migrating");
      // Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
      const { migrateWorld } = await import("../../world/migrations/index.js");
      const report = await migrateWorld(root, {
        dryRun: flags.dryRun === true,
        ...(onProgress ? { onProgress } : {}),
      });
      io.stdout.write(flags.json ? `${canonicalize(report)}\n` : renderMigrate(report));
      return report.skipped.length === 0 ? EXIT.ok : EXIT.failed;
    },
  });
}
