import type { Command } from "commander";
import { z } from "zod";
import { canonicalize } from "../../core/index.js";
import type { IndexDb, SyncReport } from "../../index/index.js";

// Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
const indexModule = () => import("../../index/index.js");

import { type CommandIo, defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { CountFlag, WorldFlags, worldOptions } from "../flags.js";
import { alignedTable } from "../style.js";

async function withIndex<T>(
  io: CommandIo,
  root: string,
  fn: (db: IndexDb, root: string) => Promise<T>,
): Promise<T> {
  const { openIndex } = await indexModule();
  const db = await openIndex({ worldRoot: root, databaseUrl: io.env.DATABASE_URL });
  try {
    return await fn(db, root);
  } finally {
    await db.close();
  }
}

const SyncFlags = z.strictObject({ ...WorldFlags, json: z.boolean().optional() });
const ListFlags = z.strictObject({
  ...WorldFlags,
  job: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  limit: CountFlag,
  json: z.boolean().optional(),
});

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
  const indexing = (
    command: Command,
    label: string,
    fn: (db: IndexDb, root: string) => Promise<SyncReport>,
  ): void => {
    defineCommand(
      worldOptions(command).option("--json", "print the report as JSON").addHelpText("after", BACKEND_HELP),
      ctx,
      setExit,
      {
        args: ["worldArg"],
        flags: SyncFlags,
        run: async (flags, io) => {
          const root = io.existingWorld(flags.worldArg, flags.world);
          const report = await withIndex(io, root, (db) => fn(db, root));
          io.stdout.write(renderSync(report, label, flags.json));
          return EXIT.ok;
        },
      },
    );
  };
  indexing(
    program
      .command("reindex")
      .description("Rebuild the run index from the world's artifacts alone, in one transaction."),
    "reindex",
    async (db, root) => (await indexModule()).reindex(db, root),
  );
  indexing(
    program
      .command("index")
      .description("Work with the run index.")
      .command("sync")
      .description("Index only the runs and receipts not yet indexed (incremental catch-up)."),
    "index sync",
    async (db, root) => (await indexModule()).catchUp(db, root),
  );

  const list = worldOptions(
    program
      .command("runs")
      .description("Query runs from the index.")
      .command("list")
      .description("List runs, newest first (the index catches up with the world first)."),
  )
    .option("--job <job_id>", "only runs of this job")
    .option("--type <job_type>", "only runs of this job type")
    .option("--limit <n>", "at most this many rows (a whole number ≥ 1)", "100")
    .option("--json", "print the rows as JSON")
    .addHelpText("after", BACKEND_HELP);
  defineCommand(list, ctx, setExit, {
    args: ["worldArg"],
    flags: ListFlags,
    run: async (flags, io) => {
      const root = io.existingWorld(flags.worldArg, flags.world);
      const { catchUp, listRuns } = await indexModule();
      const rows = await withIndex(io, root, async (db) => {
        await catchUp(db, root);
        return listRuns(db, {
          ...(flags.job ? { jobId: flags.job } : {}),
          ...(flags.type ? { jobType: flags.type } : {}),
          limit: flags.limit,
        });
      });
      if (flags.json) io.stdout.write(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) io.stdout.write("no runs\n");
      else
        io.stdout.write(
          alignedTable(
            ["JOB", "RUN", "TYPE", "OUTPUTS", "FINISHED"],
            rows.map((r) => [r.job_id, r.run_id, r.job_type, String(r.outputs), r.finished_at ?? ""]),
          ),
        );
      return EXIT.ok;
    },
  });
}
