import { resolve } from "node:path";
import { z } from "zod";
import {
  declaredSecrets,
  deployApps,
  ModalEnv,
  modalAppNameFromRef,
  modalCli,
  syncSecrets,
} from "../modal/index.js";
import { loadRegistry } from "../supply/index.js";
import { choiceInput, workspacePathInput } from "./inputs.js";
import { defineAction, html } from "./runtime.js";

const ModalActionInputs = z.strictObject({
  environment: choiceInput(ModalEnv.exclude(["dev"]), "main"),
  "working-directory": workspacePathInput("."),
});

async function entriesIn(workspace: string, dir: string) {
  const registry = await loadRegistry(resolve(workspace, dir, "registry/processors"));
  return [...registry.values()].map((e) => e.entry);
}

const modalEnvironment = (env: NodeJS.ProcessEnv) => env.MODAL_ENVIRONMENT?.trim() || undefined;

/** Make every declared secret exist in the Modal environment (values from the job's env). */
export const syncSecretsAction = defineAction({
  name: "sync-secrets",
  inputs: ModalActionInputs,
  async run(inputs, ctx) {
    const entries = await entriesIn(ctx.workspace, inputs["working-directory"]);
    const environment = modalEnvironment(ctx.env);
    const summary = await ctx.group("sync Modal secrets", () =>
      syncSecrets({
        entries,
        values: ctx.env,
        modal: modalCli({ env: ctx.env, secretNames: declaredSecrets(entries), cwd: ctx.workspace }),
        ...(environment ? { environment } : {}),
        logger: ctx.logger,
      }),
    );
    return {
      outputs: { present: JSON.stringify(summary.present), created: JSON.stringify(summary.created) },
      summary: (s) =>
        s.addHeading(`SIGIL.ZERO · sync-secrets · ✅ ${html(inputs.environment)}`, 2).addTable([
          [
            { data: "secret", header: true },
            { data: "state", header: true },
          ],
          ...summary.present.map((n) => [`<code>${html(n)}</code>`, "present"]),
          ...summary.created.map((n) => [`<code>${html(n)}</code>`, "created"]),
        ]),
    };
  },
});

/** Deploy each processor's app from its pinned image (refuses tags before any deploy). */
export const deployModalAction = defineAction({
  name: "deploy-modal",
  inputs: ModalActionInputs,
  async run(inputs, ctx) {
    const entries = await entriesIn(ctx.workspace, inputs["working-directory"]);
    const environment = modalEnvironment(ctx.env);
    const apps = await ctx.group("deploy Modal apps", () =>
      deployApps({
        entries,
        env: inputs.environment,
        appName: (ref) => modalAppNameFromRef(ref, inputs.environment).name,
        modal: modalCli({ env: ctx.env, secretNames: declaredSecrets(entries), cwd: ctx.workspace }),
        ...(environment ? { environment } : {}),
        logger: ctx.logger,
      }),
    );
    return {
      outputs: { apps: JSON.stringify(apps) },
      summary: (s) =>
        s
          .addHeading(`SIGIL.ZERO · deploy-modal · ✅ ${apps.length} apps to ${html(inputs.environment)}`, 2)
          .addTable([
            [
              { data: "app", header: true },
              { data: "processor", header: true },
              { data: "image", header: true },
            ],
            ...apps.map((a) => [
              `<code>${html(a.app)}</code>`,
              `<code>${html(a.ref)}</code>`,
              `<code>${html(a.image)}</code>`,
            ]),
          ]),
    };
  },
});
