import type { Command } from "commander";
import { canonicalize } from "../../core/index.js";
import { catchUp, type IndexDb, listRuns, openIndex, reindex, type SyncReport } from "../../index/index.js";
import { type CliContext, EXIT, existingWorld } from "../context.js";

async function withIndex<T>(
  ctx: CliContext,
  world: string | undefined,
  fn: (db: IndexDb, root: string) => Promise<T>,
): Promise<T> {
  const root = existingWorld(ctx, world);
  const db = await openIndex({ worldRoot: root, databaseUrl: ctx.env.DATABASE_URL });
  try {
    return await fn(db, root);
  } finally {
    await db.close();
  }
}

function renderSync(report: SyncReport, kind: string, json: boolean | undefined): string {
  if (json) return `${canonicalize(report)}\n`;
  const lines = [
    `${kind}: ${report.runsIndexed} run(s) indexed, ${report.runsRemoved} removed; ${report.receiptsIndexed} receipt(s) indexed, ${report.receiptsRemoved} removed`,
  ];
  if (report.skipped.length)
    lines.push(
      `skipped ${report.skipped.length} run folder(s) without a valid manifest (see sigil verify): ${report.skipped.slice(0, 5).join(", ")}`,
    );
  return `${lines.join("\n")}\n`;
}

const BACKEND_HELP = `
The index is a cache of the world: PGlite (embedded, in <world>/.sigil/index) by default,
PostgreSQL when DATABASE_URL is set. Same SQL, same rows.`;

export function registerIndex(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command("reindex")
    .description("Rebuild the run index from the world's artifacts alone, in one transaction.")
    .argument("[world]", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--json", "print the report as JSON")
    .addHelpText("after", BACKEND_HELP)
    .action(async (world: string | undefined, options: { json?: boolean }) => {
      const report = await withIndex(ctx, world, (db, root) => reindex(db, root));
      ctx.stdout.write(renderSync(report, "reindex", options.json));
      setExit(EXIT.ok);
    });

  program
    .command("index")
    .description("Work with the run index.")
    .command("sync")
    .description("Index only the runs and receipts not yet indexed (incremental catch-up).")
    .argument("[world]", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--json", "print the report as JSON")
    .addHelpText("after", BACKEND_HELP)
    .action(async (world: string | undefined, options: { json?: boolean }) => {
      const report = await withIndex(ctx, world, (db, root) => catchUp(db, root));
      ctx.stdout.write(renderSync(report, "index sync", options.json));
      setExit(EXIT.ok);
    });

  program
    .command("runs")
    .description("Query runs from the index.")
    .command("list")
    .description("List runs, newest first (the index catches up with the world first).")
    .option("--world <dir>", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--job <job_id>", "only runs of this job")
    .option("--type <job_type>", "only runs of this job type")
    .option("--limit <n>", "at most this many rows", "100")
    .option("--json", "print the rows as JSON")
    .addHelpText("after", BACKEND_HELP)
    .action(
      async (options: { world?: string; job?: string; type?: string; limit: string; json?: boolean }) => {
        const limit = Number(options.limit);
        const rows = await withIndex(ctx, options.world, async (db, root) => {
          await catchUp(db, root);
          return listRuns(db, {
            ...(options.job ? { jobId: options.job } : {}),
            ...(options.type ? { jobType: options.type } : {}),
            limit: Number.isInteger(limit) && limit > 0 ? limit : 100,
          });
        });
        if (options.json) ctx.stdout.write(`${JSON.stringify(rows)}\n`);
        else if (rows.length === 0) ctx.stdout.write("no runs\n");
        else {
          ctx.stdout.write("job_id\trun_id\tjob_type\toutputs\tfinished_at\n");
          for (const r of rows)
            ctx.stdout.write(
              `${r.job_id}\t${r.run_id}\t${r.job_type}\t${r.outputs}\t${r.finished_at ?? ""}\n`,
            );
        }
        setExit(EXIT.ok);
      },
    );
}
