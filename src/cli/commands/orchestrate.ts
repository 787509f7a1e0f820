import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, SigilError } from "../../core/index.js";
import type { KbTarget, OpenOptions, Orchestrator, RunStatus } from "../../orchestrator/index.js";
import { type CommandIo, defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";

const Common = {
  root: z.string().min(1).default("."),
  kb: z.string().min(1).default("./governance"),
  json: z.boolean().optional(),
};
const RunId = z.string().regex(/^[0-9a-f-]{36}$/, "a run id");

/** A gate's request PR on GitHub, as `status` prints it. */
interface RequestPr {
  number: number;
  url: string;
}
type Shown = RunStatus & { request_pr?: RequestPr | null };

function render(status: Shown): string {
  const where =
    status.state === "waiting_gate"
      ? status.request_pr
        ? ` at ${status.gate}: a sovereign approves by reviewing request PR #${status.request_pr.number} (${status.request_pr.url})`
        : ` at ${status.gate}: approve ${status.request_path} (sha256 ${status.request_sha256})`
      : status.state === "stopped"
        ? `: ${status.stop_code} ${status.stop_detail ?? ""}`
        : status.state === "complete"
          ? `: KB ${status.kb_folder}`
          : ` at ${status.phase}`;
  const replay = status.replayed_from ? ` (replayed from ${status.replayed_from})` : "";
  return `run ${status.run_id} ${status.state}${where}${replay}\n`;
}

const KB_HELP = `
--kb is a local git repository (gates: signed approval files, \`approve\`) or github:<owner>/<repo>
(gates: request PRs; a sovereign approves by reviewing the request PR, and the App, with
SIGIL_ORCHESTRATOR_ROOT on this project, resumes the run; \`resume\` also works by hand).
github: needs GITHUB_TOKEN; the API is GITHUB_API_URL, or GHE_HOST/GHE_PROTOCOL's /api/v3, or
api.github.com. \`approve\` with github: exits 2. \`status --json\` of a GitHub gate adds
request_pr {number, url}.
Examples:
  sigil orchestrate start --pipeline document-cut --subject icx-const --source doc.md --kb ./governance
  GITHUB_TOKEN=… sigil orchestrate start --pipeline document-cut --subject icx-const --source doc.md --kb github:acme/governance
  sigil orchestrate status <run_id> --kb github:acme/governance --json`;

const exitFor = (status: RunStatus) => (status.state === "stopped" ? EXIT.failed : EXIT.ok);

/** The REST root: GITHUB_API_URL, else GHE_HOST/GHE_PROTOCOL's `/api/v3`, else api.github.com. */
async function apiBaseUrl(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { githubApiUrlFromEnv } = await import("../../github/index.js");
  return githubApiUrlFromEnv(env);
}

/** Where a PR is shown: api.github.com → github.com; `<host>/api/v3` (GHES, the fake) → `<host>`. */
function pullUrl(apiBase: string, kb: KbTarget & { kind: "github" }, number: number): string {
  const web = apiBase === "https://api.github.com" ? "https://github.com" : apiBase.replace(/\/api\/v3$/, "");
  return `${web}/${kb.owner}/${kb.repo}/pull/${number}`;
}

/** Opens the orchestrator of `--kb`: a local git repository, or a GitHub repository (GITHUB_TOKEN). */
async function openFor(kb: KbTarget, options: OpenOptions, io: CommandIo): Promise<Orchestrator> {
  const orchestrator = await import("../../orchestrator/index.js");
  if (kb.kind === "local") return orchestrator.openLocalOrchestrator({ ...options, kb: kb.path });
  const token = io.ctx.env.GITHUB_TOKEN;
  if (!token)
    throw new SigilError(
      "ERR_USAGE",
      `--kb github:${kb.owner}/${kb.repo} needs GITHUB_TOKEN in the environment`,
    );
  const { createOctokit } = await import("../../github/index.js");
  const octokit = createOctokit({ auth: token, baseUrl: await apiBaseUrl(io.ctx.env), logger: io.logger() });
  return orchestrator.openGitHubOrchestrator({ ...options, owner: kb.owner, repo: kb.repo, octokit });
}

/** `status` of a run on GitHub also names the gate's request PR. */
async function withRequestPr(status: RunStatus, kb: KbTarget, root: string, io: CommandIo): Promise<Shown> {
  if (kb.kind !== "github") return status;
  const { readRunContext, requestPullOf } = await import("../../orchestrator/index.js");
  const ref = status.gate ? requestPullOf(await readRunContext(root, status.run_id), status.gate) : null;
  const base = await apiBaseUrl(io.ctx.env);
  return { ...status, request_pr: ref ? { number: ref.number, url: pullUrl(base, kb, ref.number) } : null };
}

export function registerOrchestrate(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const group = program
    .command("orchestrate")
    .description("Governed multi-phase runs: phases, KB docs, idempotency keys, sovereign gates.")
    .addHelpText("after", KB_HELP);
  const common = (command: Command) =>
    command
      .option("--root <dir>", "the project (its .github/sigil.yml and .sigil/)", ".")
      .option(
        "--kb <dir|github:owner/repo>",
        "the governance repository: a local git repository, or github:<owner>/<repo>",
        "./governance",
      )
      .option("--json", "print one JSON value")
      .addHelpText("after", KB_HELP);
  const print = (io: { stdout: { write(t: string): unknown } }, json: boolean | undefined, status: Shown) => {
    io.stdout.write(json ? `${canonicalize(status)}\n` : render(status));
    return exitFor(status);
  };

  defineCommand(
    common(group.command("start"))
      .requiredOption("--pipeline <name>", "the pipeline, e.g. document-cut")
      .requiredOption("--subject <id>", "the subject id (a folder name)")
      .requiredOption("--source <path>", "the source document, relative to --root")
      .option("--actor <login>", "who starts the run (default $USER)"),
    ctx,
    setExit,
    {
      flags: z.strictObject({
        ...Common,
        pipeline: z.string().min(1),
        subject: z.string().min(1),
        source: z.string().min(1),
        actor: z.string().min(1).optional(),
      }),
      run: async (flags, io) => {
        // The orchestrator (PGlite ledger, publishers) loads only when an orchestrate command runs.
        const { loadSigilConfig } = await import("../../governance/index.js");
        const { parseKb, startRun } = await import("../../orchestrator/index.js");
        const root = resolve(io.ctx.cwd, flags.root);
        const kb = parseKb(flags.kb, io.ctx.cwd);
        const { config } = await loadSigilConfig(root);
        const orch = await openFor(kb, { root }, io);
        try {
          const status = await startRun(
            {
              pipeline: flags.pipeline,
              subjectId: flags.subject,
              sourcePath: flags.source,
              space: config.governance.kb_space,
              actor: flags.actor ?? io.ctx.env.USER ?? "local",
            },
            orch.deps,
          );
          return print(io, flags.json, await withRequestPr(status, kb, root, io));
        } finally {
          await orch.close();
        }
      },
    },
  );

  defineCommand(common(group.command("status").argument("<run_id>")), ctx, setExit, {
    args: ["runId"],
    flags: z.strictObject({ ...Common, runId: RunId }),
    run: async (flags, io) => {
      // Reads the sidecar only: no ledger, no token, no request.
      const { parseKb, statusOfRun } = await import("../../orchestrator/index.js");
      const root = resolve(io.ctx.cwd, flags.root);
      const status = await statusOfRun(root, flags.runId);
      const shown = await withRequestPr(status, parseKb(flags.kb, io.ctx.cwd), root, io);
      io.stdout.write(flags.json ? `${canonicalize(shown)}\n` : render(shown));
      return EXIT.ok;
    },
  });

  defineCommand(common(group.command("resume").argument("<run_id>")), ctx, setExit, {
    args: ["runId"],
    flags: z.strictObject({ ...Common, runId: RunId }),
    run: async (flags, io) => {
      // The orchestrator (PGlite ledger, publishers) loads only when an orchestrate command runs.
      const { parseKb, resumeRun } = await import("../../orchestrator/index.js");
      const root = resolve(io.ctx.cwd, flags.root);
      const kb = parseKb(flags.kb, io.ctx.cwd);
      const orch = await openFor(kb, { root }, io);
      try {
        await orch.assertRunKb(flags.runId);
        const status = await resumeRun(flags.runId, orch.deps);
        return print(io, flags.json, await withRequestPr(status, kb, root, io));
      } finally {
        await orch.close();
      }
    },
  });

  defineCommand(
    common(
      group
        .command("approve")
        .argument("<request-doc>", "the request doc's path in the KB (status prints it)"),
    ).requiredOption("--key <path>", "your SSH private key (its public half is in sovereigns.ssh_keys)"),
    ctx,
    setExit,
    {
      args: ["request"],
      flags: z.strictObject({ ...Common, request: z.string().min(1), key: z.string().min(1) }),
      run: async (flags, io) => {
        // The orchestrator (PGlite ledger, git publisher) loads only when an orchestrate command runs.
        const { APPROVE_ON_GITHUB, approveLocalRequest, localKbPath } = await import(
          "../../orchestrator/index.js"
        );
        const kb = localKbPath(flags.kb, APPROVE_ON_GITHUB, io.ctx.cwd);
        // A path into a checkout of the KB is taken relative to it; otherwise it is a KB path.
        const asFile = resolve(io.ctx.cwd, flags.request);
        const requestPath = asFile.startsWith(`${kb}/`) ? relative(kb, asFile) : flags.request;
        const result = await approveLocalRequest({
          root: resolve(io.ctx.cwd, flags.root),
          kb,
          requestPath,
          keyPath: resolve(io.ctx.cwd, flags.key),
        });
        const body = {
          status: "approved",
          ...result.approval,
          approval_path: result.paths.json,
          signature_path: result.paths.sig,
        };
        io.stdout.write(
          flags.json
            ? `${canonicalize(body)}\n`
            : `approved ${result.approval.gate} of run ${result.approval.run_id} as ${result.approval.approver}: ${result.paths.json}\n`,
        );
        return EXIT.ok;
      },
    },
  );
}
