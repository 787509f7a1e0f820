import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, parseWith } from "../../core/index.js";
import { collectGarbage, type GcReport } from "../../world/index.js";
import { type CliContext, EXIT, existingWorld } from "../context.js";

const GcFlags = z.strictObject({ dryRun: z.boolean().optional(), json: z.boolean().optional() });

function renderGc(report: GcReport): string {
  const verb = report.dry_run ? "would remove" : "removed";
  const lines = [`${verb} ${report.removed.length} item(s)`];
  for (const r of report.removed) lines.push(`  ${verb} ${r.kind} ${r.path} (${r.reason})`);
  if (report.dry_run) lines.push("dry run: nothing was removed");
  return `${lines.join("\n")}\n`;
}

export function registerGc(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command("gc")
    .description(
      "Remove what no run needs: abandoned staging folders, attempts of unsettled runs nobody executes, unreferenced receipt twins.",
    )
    .argument("[world]", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--dry-run", "print what would be removed and remove nothing")
    .option("--json", "print the report as canonical JSON")
    .addHelpText(
      "after",
      `
A settled run is never touched; a run whose lock is held is left alone; staging folders and
receipt twins younger than 15 minutes are kept (they may belong to a run still writing).`,
    )
    .action(async (world: string | undefined, raw: Record<string, unknown>) => {
      const flags = parseWith(GcFlags, raw, "ERR_USAGE", "sigil gc");
      const report = await collectGarbage(existingWorld(ctx, world), { dryRun: flags.dryRun === true });
      ctx.stdout.write(flags.json ? `${canonicalize(report)}\n` : renderGc(report));
      setExit(EXIT.ok);
    });
}
