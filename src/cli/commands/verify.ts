import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { type CommandIo, defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { WorldFlags, worldOptions } from "../flags.js";

/** A one-line progress display, redrawn in place, only when stderr is a terminal. */
export function progressLine(
  io: CommandIo,
  label: string,
): ((done: number, total: number) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    io.stderr.write(`\r${label} ${done}/${total}${done === total ? "\n" : ""}`);
  };
}

/**
 * The worker's entry, bin/verify-worker.cjs, which loads the worker bundle beside the CLI bundle
 * through V8's code cache; absent when running from sources (tests).
 */
export function verifyWorkerScript(): string | undefined {
  if (typeof __dirname === "undefined") return undefined;
  const [entry, bundle] = [
    join(__dirname, "..", "bin", "verify-worker.cjs"),
    join(__dirname, "verify-worker.cjs"),
  ];
  return existsSync(entry) && existsSync(bundle) ? entry : undefined;
}

const VerifyFlags = z.strictObject({
  ...WorldFlags,
  json: z.boolean().optional(),
  replay: z.boolean().optional(),
});

export function registerVerify(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = worldOptions(
    program
      .command("verify")
      .description(
        "Verify every run of a world: snapshots, identity, chains and outputs against their hashes.",
      ),
  )
    .option("--json", "print the report as canonical JSON instead of Markdown")
    .option(
      "--replay",
      "also re-propose every run and check it replays without executing (replay_run_idempotent)",
    )
    .addHelpText(
      "after",
      `
Checks every governed run under <world>/<job_id>/<run_id>/ and every sigil run result under
<world>/outputs/: snapshots and outputs against their bytes, identity, chains, records stated
twice, migration history, canonical form, receipts and their twins; any symbolic link is a
finding. Runs still executing (lock held) are listed as pending, failed runs (failed.json) as
failed: neither is a finding, and a failed run's snapshots are still checked.
Exit codes: 0 no findings, 1 findings (one per violation, each with a code), 2 command-line error.
Example:
  sigil verify artifacts/ --json | jq '.findings[] | .code'`,
    );
  defineCommand(command, ctx, setExit, {
    args: ["worldArg"],
    flags: VerifyFlags,
    run: async (flags, io) => {
      const root = io.existingWorld(flags.worldArg, flags.world);
      const onProgress = progressLine(io, "verifying runs");
      const progress = { ...(onProgress ? { onProgress } : {}), replay: flags.replay === true };
      const workerScript = verifyWorkerScript();
      // Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
      const { renderReportJson, renderReportMarkdown, verifyWorld, verifyWorldParallel } = await import(
        "../../world/verify/index.js"
      );
      const report = workerScript
        ? await verifyWorldParallel(root, workerScript, progress)
        : await verifyWorld(root, progress);
      io.stdout.write(flags.json ? `${renderReportJson(report)}\n` : renderReportMarkdown(report));
      return report.findings.length === 0 ? EXIT.ok : EXIT.failed;
    },
  });
}
