import { resolve } from "node:path";
import { z } from "zod";
import {
  checkDrift,
  driftError,
  ModalEnv,
  modalAppNameFromRef,
  modalCredentialsFrom,
  sdkTransport,
} from "../modal/index.js";
import { loadRegistry } from "../supply/index.js";
import { choiceInput, workspacePathInput } from "./inputs.js";
import { defineAction, html } from "./runtime.js";

const DriftInputs = z.strictObject({
  environment: choiceInput(ModalEnv.exclude(["dev"]), "main"),
  "working-directory": workspacePathInput("."),
});

/** Registry pins against what each deployed app reports about itself (docs/modal.md). */
export const driftAction = defineAction({
  name: "drift",
  inputs: DriftInputs,
  async run(inputs, ctx) {
    const registry = await loadRegistry(
      resolve(ctx.workspace, inputs["working-directory"], "registry/processors"),
    );
    const credentials = modalCredentialsFrom(ctx.env);
    const transport = sdkTransport(credentials);
    try {
      const report = await ctx.group("compare deployed apps with the registry", () =>
        checkDrift({
          entries: [...registry.values()].map((e) => e.entry),
          env: inputs.environment,
          appName: (ref) => modalAppNameFromRef(ref, inputs.environment).name,
          transport,
          ...(credentials.environment ? { environment: credentials.environment } : {}),
          logger: ctx.logger,
        }),
      );
      const drifted = report.apps.filter((a) => a.status !== "same").map((a) => a.app);
      const error = report.ok ? undefined : driftError(report);
      return {
        outputs: { "in-sync": String(report.ok), drifted: JSON.stringify(drifted) },
        summary: (s) =>
          s
            .addHeading(
              `SIGIL.ZERO · drift · ${report.ok ? "✅ in sync" : `❌ ${drifted.length} drifted`} (${html(inputs.environment)})`,
              2,
            )
            .addTable([
              ["ref", "app", "status", "registry image", "deployed image", "differs"].map((data) => ({
                data,
                header: true,
              })),
              ...report.apps.map((a) => [
                `<code>${html(a.ref)}</code>`,
                `<code>${html(a.app)}</code>`,
                a.status === "same" ? "✅ same" : `❌ ${a.status}`,
                `<code>${html(a.image)}</code>`,
                a.deployed_image ? `<code>${html(a.deployed_image)}</code>` : "",
                html(a.differences.map((d) => d.field).join(", ")),
              ]),
            ]),
        ...(error ? { failure: { code: error.code, message: error.message } } : {}),
      };
    } finally {
      transport.close?.();
    }
  },
});
