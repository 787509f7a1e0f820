import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { systemClock } from "../../core/index.js";
import type { ReportSummary } from "../../report/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { WorldFlags, worldOptions } from "../flags.js";
import { progressLine, verifyWorkerScript } from "./verify.js";

const ReportFlags = z.strictObject({
  ...WorldFlags,
  out: z.string().min(1),
  deterministic: z.boolean().optional(),
  json: z.boolean().optional(),
});

function renderSummary(s: ReportSummary): string {
  const v = s.verdict;
  const verdict =
    v.findings === 0 ? "no findings" : `${v.findings} finding(s) in ${v.runs_with_findings} run(s)`;
  const what = s.format === "file" ? "one page" : `${s.files} pages`;
  return `wrote ${s.out} (${what}, ${s.bytes} bytes): ${v.runs} run(s), ${verdict}, ${v.pending} pending, ${v.failed} failed\n`;
}

export function registerReport(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = worldOptions(
    program
      .command("report")
      .description(
        "Write a World report page: runs, lineage and the verifier's findings, viewable offline in a browser.",
      ),
  )
    .requiredOption(
      "--out <path>",
      "a .html file (one self-contained page) or a folder (index.html + one page per run)",
    )
    .option("--deterministic", "leave out the generation time: the same World gives the same bytes")
    .option("--json", "print a summary as one JSON value")
    .addHelpText(
      "after",
      `
The page works from file:// with no network: the lineage is laid out into inline SVG, the runs
table is paginated, and sortable and filterable with JavaScript. Findings come from the same
checks as sigil verify. Exit 0 when the report is written, whatever it found (gate on sigil verify).
Examples:
  sigil report artifacts/ --out report.html
  sigil report artifacts/ --out site/ --deterministic --json`,
    );
  defineCommand(command, ctx, setExit, {
    args: ["worldArg"],
    flags: ReportFlags,
    run: async (flags, io) => {
      const worldRoot = io.existingWorld(flags.worldArg, flags.world);
      const onProgress = progressLine(io, "verifying runs");
      const options = onProgress ? { onProgress } : {};
      // Loaded on first use: the layout library stays out of every other command's start-up.
      const { generateReport, renderSummaryJson } = await import("../../report/index.js");
      const { verifyWorld, verifyWorldParallel } = await import("../../world/verify/index.js");
      const workerScript = verifyWorkerScript();
      const summary = await generateReport({
        worldRoot,
        out: resolve(io.ctx.cwd, flags.out),
        verify: (root) =>
          workerScript ? verifyWorldParallel(root, workerScript, options) : verifyWorld(root, options),
        ...(flags.deterministic ? {} : { clock: systemClock }),
      });
      io.stdout.write(flags.json ? `${renderSummaryJson(summary)}\n` : renderSummary(summary));
      return EXIT.ok;
    },
  });
}
