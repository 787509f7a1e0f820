import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import type { RegistryEntry } from "../../core/index.js";
import { ModalEnv, modalAppNameFromRef } from "../../modal/index.js";
import { loadRegistry } from "../../supply/index.js";
import { type CommandIo, resolveLogFormat } from "../command.js";
import { devIdentity } from "../modal-settings.js";

/** Flags shared by the `sigil modal` commands (docs/modal.md). */
export const ProjectFlags = {
  env: ModalEnv,
  registry: z.string().min(1).optional(),
  root: z.string().min(1).optional(),
  json: z.boolean().optional(),
};
export const IdentityFlags = { branch: z.string().optional(), user: z.string().optional() };

export function envOption(): Option {
  return new Option("--env <env>", "lane: dev apps are per branch and user, staging and main canonical")
    .choices(["dev", "staging", "main"])
    .makeOptionMandatory();
}

export function projectOptions(command: Command): Command {
  return command
    .addOption(envOption())
    .option("--registry <dir>", "registry entries folder (default: <root>/registry/processors)")
    .option("--root <dir>", "project root holding registry/ (default: .)")
    .option("--json", "print one JSON value on stdout");
}

export function identityOptions(command: Command): Command {
  return command
    .option(
      "--branch <branch>",
      "dev: branch in the app name (default: $SIGIL_BRANCH, $GITHUB_HEAD_REF, $GITHUB_REF_NAME)",
    )
    .option("--user <user>", "dev: user in the app name (default: $SIGIL_USER, $GITHUB_ACTOR, $USER)");
}

export async function registryEntries(
  flags: { registry?: string | undefined; root?: string | undefined },
  io: CommandIo,
): Promise<RegistryEntry[]> {
  const root = resolve(io.ctx.cwd, flags.root ?? ".");
  const registry = await loadRegistry(resolve(root, flags.registry ?? "registry/processors"));
  return [...registry.values()].map((e) => e.entry);
}

export function appNamer(
  flags: { env: ModalEnv; branch?: string | undefined; user?: string | undefined },
  io: CommandIo,
) {
  const identity = devIdentity(io.ctx.env, flags);
  const log = io.logger(resolveLogFormat(undefined, io.env, io.stderr));
  return (ref: string) =>
    modalAppNameFromRef(ref, flags.env, {
      ...identity,
      warn: (message) => log.warn({ event: "modal.app_name.fallback" }, message),
    }).name;
}

export const modalEnvironment = (io: CommandIo) => io.ctx.env.MODAL_ENVIRONMENT?.trim() || undefined;
