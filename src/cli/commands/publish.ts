import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, parseOwnerName, SigilError } from "../../core/index.js";
import type { GovernancePublisher, PublishedRun } from "../../governance/index.js";
import { type CommandIo, defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { WorldFlags, worldOptions } from "../flags.js";

const PublishFlags = z.strictObject({
  ...WorldFlags,
  to: z.string().min(1, "a directory or github:<owner>/<repo>"),
  branch: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

/** `--to`: `github:<owner>/<repo>` through the one Octokit (GITHUB_TOKEN; GITHUB_API_URL or GHE_HOST), else a local repository. */
async function publisherFor(
  to: string,
  branch: string | undefined,
  io: CommandIo,
): Promise<GovernancePublisher> {
  if (!to.startsWith("github:")) {
    const { createLocalGitPublisher } = await import("../../governance/index.js");
    return createLocalGitPublisher({ repo: to, ...(branch ? { branch } : {}) });
  }
  const github = parseOwnerName(to.slice("github:".length));
  if (!github) throw new SigilError("ERR_USAGE", `--to ${to}: expected github:<owner>/<repo>`);
  const token = io.ctx.env.GITHUB_TOKEN;
  if (!token) throw new SigilError("ERR_USAGE", `--to ${to} needs GITHUB_TOKEN in the environment`);
  const { createOctokit, githubApiUrlFromEnv } = await import("../../github/index.js");
  const { createGitHubPublisher } = await import("../../governance/index.js");
  const octokit = createOctokit({
    auth: token,
    baseUrl: githubApiUrlFromEnv(io.ctx.env),
    logger: io.logger(),
  });
  return createGitHubPublisher({
    octokit,
    ...github,
    ...(branch ? { branch } : {}),
  });
}

function runLine(run: PublishedRun): string {
  if (run.status === "unchanged")
    return `= ${run.path}: already published (${run.unchanged.length} files unchanged)\n`;
  const kept = run.unchanged.length > 0 ? `, ${run.unchanged.length} unchanged` : "";
  return `+ ${run.path}: ${run.written.length} files written${kept} in ${run.commit?.slice(0, 12)}\n`;
}

export function registerPublish(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = worldOptions(
    program
      .command("publish")
      .description(
        "Verify a world and commit each settled run to the governance repository, one commit per run.",
      ),
  )
    .requiredOption("--to <target>", "an existing local git repository, or github:<owner>/<repo>")
    .option("--branch <name>", "branch to commit on (default: the repository's current or default branch)")
    .option("--json", "print one JSON value: the runs written and unchanged")
    .addHelpText(
      "after",
      `
Verifies the world first: any finding refuses the publish with its ERR_VERIFY_* code and nothing
is committed. Each settled run lands as artifacts/<job_id>/<run_id>/… in one commit; a run already
there with the same bytes is left alone; a path holding other bytes is ERR_PUBLISH_CONFLICT.
github: targets read GITHUB_TOKEN (and GITHUB_API_URL, or GHE_HOST/GHE_PROTOCOL, for GitHub Enterprise Server).
Exit codes: 0 published (or nothing new), 1 findings, conflict or remote failure, 2 command-line error.
Examples:
  git init governance && sigil publish artifacts/ --to ./governance
  GITHUB_TOKEN=… sigil publish artifacts/ --to github:acme/governance --branch main --json`,
    );
  defineCommand(command, ctx, setExit, {
    args: ["worldArg"],
    flags: PublishFlags,
    run: async (flags, io) => {
      const world = io.existingWorld(flags.worldArg, flags.world);
      const publisher = await publisherFor(flags.to, flags.branch, io);
      const { publishWorld } = await import("../../governance/index.js");
      const report = await publishWorld({
        world,
        publisher,
        signal: io.signal,
        ...(flags.json ? {} : { onRun: (run: PublishedRun) => io.stdout.write(runLine(run)) }),
      });
      if (flags.json) {
        io.stdout.write(`${canonicalize({ status: "success", ...report })}\n`);
        return EXIT.ok;
      }
      const written = report.runs.filter((r) => r.status === "written").length;
      for (const skip of report.skipped) io.stdout.write(`- ${skip.run}: ${skip.state}, not published\n`);
      io.stdout.write(
        `${publisher.target}: ${written} run(s) published, ${report.runs.length - written} already there\n`,
      );
      return EXIT.ok;
    },
  });
}
