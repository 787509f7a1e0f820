import type { Command } from "commander";
import { canonicalize } from "../../core/index.js";
import { type MigrateReport, migrateWorld } from "../../world/migrations/index.js";
import { type CliContext, EXIT, existingWorld } from "../context.js";
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

export function registerMigrate(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command("migrate")
    .description("Bring every run manifest of a world to the current schema version.")
    .argument("[world]", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--dry-run", "print the plan and write nothing")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Each manifest is backed up to <world>/.sigil/backups/<job>/<run>/ and replaced atomically;
job_id, run_id, snapshots and their hashes never change, and migration_history records each
step. Rerunning is safe: migrated manifests are left as they are.`,
    )
    .action(async (world: string | undefined, options: { dryRun?: boolean; json?: boolean }) => {
      const root = existingWorld(ctx, world);
      const onProgress = progressLine(ctx, options.dryRun ? "planning" : "migrating");
      const report = await migrateWorld(root, {
        dryRun: options.dryRun === true,
        ...(onProgress ? { onProgress } : {}),
      });
      ctx.stdout.write(options.json ? `${canonicalize(report)}\n` : renderMigrate(report));
      setExit(report.skipped.length === 0 ? EXIT.ok : EXIT.failed);
    });
}
