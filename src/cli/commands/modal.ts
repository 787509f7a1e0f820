import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import {
  declaredSecrets,
  deployApps,
  ModalEnv,
  modalAppNameFromRef,
  modalCli,
  renderModalApp,
  syncSecrets,
} from "../../modal/index.js";
import { defineCommand, resolveLogFormat } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { registerModalChecks } from "./modal-checks.js";
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

const NameFlags = z.strictObject({
  ref: z.string().min(1),
  env: ModalEnv,
  json: z.boolean().optional(),
  ...IdentityFlags,
});
const RenderFlags = z.strictObject({
  ...ProjectFlags,
  ...IdentityFlags,
  out: z.string().min(1).optional(),
  imageOverride: z.string().min(1).optional(),
});
const DeployFlags = z.strictObject({
  ...ProjectFlags,
  ...IdentityFlags,
  imageOverride: z.string().min(1).optional(),
});
const SecretsFlags = z.strictObject({ ...ProjectFlags });

export function registerModal(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const modal = program
    .command("modal")
    .description(
      "Modal: app names, modal_app.py, deploys, secret sync, mock validation and drift (docs/modal.md).",
    );

  const name = identityOptions(
    modal
      .command("name")
      .description("Print the Modal app name of a processor ref for a lane.")
      .requiredOption("--ref <ref>", "processor ref, e.g. llm/litellm@1")
      .addOption(envOption())
      .option("--json", 'print {"name","fallback"}'),
  );
  defineCommand(name, ctx, setExit, {
    flags: NameFlags,
    run: async (flags, io) => {
      const log = io.logger(resolveLogFormat(undefined, io.env, io.stderr));
      const result = modalAppNameFromRef(flags.ref, flags.env, {
        // Only what is given on the command line: the name must be reproducible from it.
        branch: flags.branch,
        user: flags.user,
        warn: (message) => log.warn({ event: "modal.app_name.fallback" }, message),
      });
      io.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${result.name}\n`);
      return EXIT.ok;
    },
  });

  const render = identityOptions(projectOptions(modal.command("render")))
    .description("Render modal_app.py for a lane from the registry (staging/main need pinned images).")
    .option("--out <file>", "write the module here instead of stdout")
    .option("--image-override <image>", "dev only: deploy every processor from this image");
  defineCommand(render, ctx, setExit, {
    flags: RenderFlags,
    run: async (flags, io) => {
      const source = renderModalApp(await registryEntries(flags, io), {
        env: flags.env,
        appName: appNamer(flags, io),
        ...(flags.imageOverride ? { imageOverride: flags.imageOverride } : {}),
      });
      if (flags.out) await writeFile(resolve(io.ctx.cwd, flags.out), source);
      else io.stdout.write(source);
      return EXIT.ok;
    },
  });

  const deploy = identityOptions(projectOptions(modal.command("deploy")))
    .description(
      "Deploy every processor's app with the modal CLI on PATH (token from MODAL_TOKEN_ID/SECRET).",
    )
    .option("--image-override <image>", "dev only: deploy every processor from this image");
  defineCommand(deploy, ctx, setExit, {
    flags: DeployFlags,
    run: async (flags, io) => {
      const entries = await registryEntries(flags, io);
      const environment = modalEnvironment(io);
      const apps = await deployApps({
        entries,
        env: flags.env,
        appName: appNamer(flags, io),
        ...(flags.imageOverride ? { imageOverride: flags.imageOverride } : {}),
        modal: modalCli({ env: io.ctx.env, secretNames: declaredSecrets(entries), cwd: io.ctx.cwd }),
        ...(environment ? { environment } : {}),
        logger: io.logger(resolveLogFormat(undefined, io.env, io.stderr)),
      });
      io.stdout.write(
        flags.json
          ? `${JSON.stringify({ status: "success", env: flags.env, apps })}\n`
          : apps.map((a) => `deployed ${a.app}  ${a.ref}  ${a.image}\n`).join(""),
      );
      return EXIT.ok;
    },
  });

  const secrets = modal.command("secrets").description("Modal Secrets of the processors' declared names.");
  const sync = projectOptions(secrets.command("sync")).description(
    "Make sure every declared secret exists in the Modal environment; create missing ones from the environment's values.",
  );
  defineCommand(sync, ctx, setExit, {
    flags: SecretsFlags,
    run: async (flags, io) => {
      const entries = await registryEntries(flags, io);
      const environment = modalEnvironment(io);
      const summary = await syncSecrets({
        entries,
        values: io.ctx.env,
        modal: modalCli({ env: io.ctx.env, secretNames: declaredSecrets(entries), cwd: io.ctx.cwd }),
        ...(environment ? { environment } : {}),
        logger: io.logger(resolveLogFormat(undefined, io.env, io.stderr)),
      });
      io.stdout.write(
        flags.json
          ? `${JSON.stringify({ status: "success", env: flags.env, ...summary })}\n`
          : `present: ${summary.present.join(", ") || "none"}\ncreated: ${summary.created.join(", ") || "none"}\n`,
      );
      return EXIT.ok;
    },
  });

  registerModalChecks(modal, ctx, setExit);
}
