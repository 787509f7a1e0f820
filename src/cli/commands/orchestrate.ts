import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { canonicalize } from "../../core/index.js";
import type { RunStatus } from "../../orchestrator/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";

const Common = {
  root: z.string().min(1).default("."),
  kb: z.string().min(1).default("./governance"),
  json: z.boolean().optional(),
};
const RunId = z.string().regex(/^[0-9a-f-]{36}$/, "a run id");

function render(status: RunStatus): string {
  const where =
    status.state === "waiting_gate"
      ? ` at ${status.gate}: approve ${status.request_path} (sha256 ${status.request_sha256})`
      : status.state === "stopped"
        ? `: ${status.stop_code} ${status.stop_detail ?? ""}`
        : status.state === "complete"
          ? `: KB ${status.kb_folder}`
          : ` at ${status.phase}`;
  const replay = status.replayed_from ? ` (replayed from ${status.replayed_from})` : "";
  return `run ${status.run_id} ${status.state}${where}${replay}\n`;
}

const exitFor = (status: RunStatus) => (status.state === "stopped" ? EXIT.failed : EXIT.ok);

export function registerOrchestrate(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const group = program
    .command("orchestrate")
    .description("Governed multi-phase runs: phases, KB docs, idempotency keys, sovereign gates.");
  const common = (command: Command) =>
    command
      .option("--root <dir>", "the project (its .github/sigil.yml and .sigil/)", ".")
      .option("--kb <dir>", "the governance repository (a local git repository)", "./governance")
      .option("--json", "print one JSON value");
  const print = (
    io: { stdout: { write(t: string): unknown } },
    json: boolean | undefined,
    status: RunStatus,
  ) => {
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
        // The orchestrator (PGlite ledger, git publisher) loads only when an orchestrate command runs.
        const { loadSigilConfig } = await import("../../governance/index.js");
        const { openLocalOrchestrator, startRun } = await import("../../orchestrator/index.js");
        const root = resolve(io.ctx.cwd, flags.root);
        const { config } = await loadSigilConfig(root);
        const orch = await openLocalOrchestrator({ root, kb: resolve(io.ctx.cwd, flags.kb) });
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
          return print(io, flags.json, status);
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
      // The orchestrator (PGlite ledger, git publisher) loads only when an orchestrate command runs.
      const { statusOfRun } = await import("../../orchestrator/index.js");
      const status = await statusOfRun(resolve(io.ctx.cwd, flags.root), flags.runId);
      io.stdout.write(flags.json ? `${canonicalize(status)}\n` : render(status));
      return EXIT.ok;
    },
  });

  defineCommand(common(group.command("resume").argument("<run_id>")), ctx, setExit, {
    args: ["runId"],
    flags: z.strictObject({ ...Common, runId: RunId }),
    run: async (flags, io) => {
      // The orchestrator (PGlite ledger, git publisher) loads only when an orchestrate command runs.
      const { openLocalOrchestrator, resumeRun } = await import("../../orchestrator/index.js");
      const orch = await openLocalOrchestrator({
        root: resolve(io.ctx.cwd, flags.root),
        kb: resolve(io.ctx.cwd, flags.kb),
      });
      try {
        return print(io, flags.json, await resumeRun(flags.runId, orch.deps));
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
        const { approveLocalRequest } = await import("../../orchestrator/index.js");
        const kb = resolve(io.ctx.cwd, flags.kb);
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
