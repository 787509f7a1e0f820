import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import {
  checkDrift,
  driftError,
  type ModalEnv,
  modalCredentialsFrom,
  sdkTransport,
} from "../../modal/index.js";
import { createAdapterFactory } from "../../run/index.js";
import { defineCommand, resolveLogFormat } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { devIdentity, modalSettingsFor } from "../modal-settings.js";
import {
  appNamer,
  envOption,
  IdentityFlags,
  identityOptions,
  modalEnvironment,
  ProjectFlags,
  projectOptions,
  registryEntries,
} from "./modal-flags.js";

const ValidateFlags = z.strictObject({
  env: ProjectFlags.env,
  root: ProjectFlags.root,
  json: ProjectFlags.json,
  config: z.string().min(1).optional(),
  world: z.string().min(1).optional(),
  ...IdentityFlags,
});
const DriftFlags = z.strictObject({ ...ProjectFlags, ...IdentityFlags });

/** Fixed-width columns for the human rendering of a report. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

/** `sigil modal validate` and `sigil modal drift`: the checks after a deploy (docs/modal.md). */
export function registerModalChecks(modal: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const validate = identityOptions(
    modal
      .command("validate")
      .description(
        "Call every deployed processor's mock function through the modal adapter and settle it (token from MODAL_TOKEN_ID/SECRET).",
      )
      .addOption(envOption())
      .option("--root <dir>", "project root holding .github/sigil.yml and the registry (default: .)")
      .option("--config <file>", "config path relative to the root (default: .github/sigil.yml)")
      .option("--world <dir>", "world root the returned files are written into (default: <root>/artifacts)")
      .option("--json", "print the report as one JSON value"),
  );
  defineCommand(validate, ctx, setExit, {
    flags: ValidateFlags,
    run: async (flags, io) => {
      const logger = io.logger(resolveLogFormat(undefined, io.env, io.stderr));
      const root = resolve(io.ctx.cwd, flags.root ?? ".");
      const env: ModalEnv = flags.env;
      const transport = sdkTransport(modalCredentialsFrom(io.ctx.env));
      const repoScope = io.env.GITHUB_REPOSITORY;
      // Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
      const { validateMock, validateMockFailure } = await import("../../lanes/index.js");
      try {
        const report = await validateMock(
          {
            root,
            world: flags.world ?? "artifacts",
            env,
            appName: appNamer(flags, io),
            ...(flags.config ? { configPath: flags.config } : {}),
            ...(repoScope ? { repoScope } : {}),
          },
          {
            env: io.ctx.env,
            logger,
            adapters: createAdapterFactory({
              repoRoot: root,
              modal: {
                ...modalSettingsFor(env, io.ctx.env, logger),
                env,
                ...devIdentity(io.ctx.env, flags),
                transport,
              },
            }),
          },
        );
        const failure = validateMockFailure(report);
        io.stdout.write(
          flags.json
            ? `${JSON.stringify(report)}\n`
            : table([
                ["ref", "app", "status", "code", "outputs"],
                ...report.checks.map((c) => [c.ref, c.app, c.status, c.code ?? "", String(c.outputs.length)]),
              ]) + (failure ? `${failure.code}: ${failure.message}\n` : ""),
        );
        return report.ok ? EXIT.ok : EXIT.failed;
      } finally {
        transport.close?.();
      }
    },
  });

  const drift = identityOptions(projectOptions(modal.command("drift"))).description(
    "Compare what each deployed app reports (its describe function) with what the registry renders now; exit 1 on a difference.",
  );
  defineCommand(drift, ctx, setExit, {
    flags: DriftFlags,
    run: async (flags, io) => {
      const entries = await registryEntries(flags, io);
      const environment = modalEnvironment(io);
      const transport = sdkTransport(modalCredentialsFrom(io.ctx.env));
      try {
        const report = await checkDrift({
          entries,
          env: flags.env,
          appName: appNamer(flags, io),
          transport,
          ...(environment ? { environment } : {}),
          logger: io.logger(resolveLogFormat(undefined, io.env, io.stderr)),
        });
        io.stdout.write(
          flags.json
            ? `${JSON.stringify(report)}\n`
            : table([
                ["ref", "app", "status", "differs"],
                ...report.apps.map((a) => [
                  a.ref,
                  a.app,
                  a.status,
                  a.differences.map((d) => d.field).join(","),
                ]),
              ]) + (report.ok ? "" : `${driftError(report).code}: ${driftError(report).message}\n`),
        );
        return report.ok ? EXIT.ok : EXIT.failed;
      } finally {
        transport.close?.();
      }
    },
  });
}
