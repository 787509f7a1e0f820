import { resolve } from "node:path";
import { z } from "zod";
import { validateMock, validateMockFailure } from "../lanes/index.js";
import { ModalEnv, modalAppNameFromRef, modalCredentialsFrom, sdkTransport } from "../modal/index.js";
import { createAdapterFactory } from "../run/index.js";
import { choiceInput, repositoryInput, workspacePathInput } from "./inputs.js";
import { defineAction, html } from "./runtime.js";

export const ValidateMockInputs = z.strictObject({
  environment: choiceInput(ModalEnv.exclude(["dev"]), "main"),
  "working-directory": workspacePathInput("."),
  world: workspacePathInput("artifacts"),
  config: workspacePathInput(".github/sigil.yml"),
  repository: repositoryInput(),
});

/** After a deploy: every processor's deployed `mock` function, through the modal adapter (docs/modal.md). */
export const validateMockAction = defineAction({
  name: "validate-mock",
  inputs: ValidateMockInputs,
  async run(inputs, ctx) {
    const root = resolve(ctx.workspace, inputs["working-directory"]);
    const env = inputs.environment;
    const credentials = modalCredentialsFrom(ctx.env);
    const transport = sdkTransport(credentials);
    const appName = (ref: string) => modalAppNameFromRef(ref, env).name;
    try {
      const report = await validateMock(
        {
          root,
          world: inputs.world,
          configPath: inputs.config,
          env,
          appName,
          ...(inputs.repository ? { repoScope: inputs.repository } : {}),
        },
        {
          env: ctx.env,
          logger: ctx.logger,
          phase: ctx.group,
          adapters: createAdapterFactory({
            repoRoot: root,
            modal: {
              env,
              transport,
              ...(credentials.environment ? { environment: credentials.environment } : {}),
            },
          }),
        },
      );
      const failure = validateMockFailure(report);
      return {
        outputs: {
          "summary-path": resolve(root, report.summary_path),
          passed: String(report.ok),
          checks: JSON.stringify(
            Object.fromEntries(report.checks.map((c) => [c.ref, c.code ? `fail ${c.code}` : c.status])),
          ),
        },
        summary: (s) =>
          s
            .addHeading(
              `SIGIL.ZERO · validate-mock · ${report.ok ? "✅" : "❌"} ${report.checks.length} apps in ${html(env)}`,
              2,
            )
            .addTable([
              ["ref", "app", "status", "code", "outputs"].map((data) => ({ data, header: true })),
              ...report.checks.map((c) => [
                `<code>${html(c.ref)}</code>`,
                `<code>${html(c.app)}</code>`,
                c.status === "pass" ? "✅ pass" : "❌ fail",
                c.code ? `<code>${html(c.code)}</code>` : "",
                String(c.outputs.length),
              ]),
            ]),
        ...(failure ? { failure } : {}),
      };
    } finally {
      transport.close?.();
    }
  },
});
