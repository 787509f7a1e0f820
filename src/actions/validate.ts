import { resolve } from "node:path";
import { z } from "zod";
import { checkProject, type ProjectCheck } from "../lanes/index.js";
import { Lane } from "../supply/index.js";
import { choiceInput, repositoryInput, workspacePathInput } from "./inputs.js";
import { defineAction, html, type Summary } from "./runtime.js";

export const ValidateInputs = z.strictObject({
  lane: choiceInput(Lane, "pr"),
  "working-directory": workspacePathInput("."),
  config: workspacePathInput(".github/sigil.yml"),
  repository: repositoryInput(),
});

/** Validate `.github/sigil.yml` and every registry entry against a lane's image rules. */
export const validateAction = defineAction({
  name: "validate",
  inputs: ValidateInputs,
  async run(inputs, ctx) {
    const project = await ctx.group("validate config and registry", () =>
      checkProject({
        root: resolve(ctx.workspace, inputs["working-directory"]),
        configPath: inputs.config,
        lane: inputs.lane,
        ...(inputs.repository ? { repoScope: inputs.repository } : {}),
      }),
    );
    return {
      outputs: {
        refs: JSON.stringify(project.entries.map((e) => e.entry.ref)),
        unpinned: JSON.stringify(project.entries.filter((e) => !e.pinned).map((e) => e.entry.ref)),
      },
      summary: (summary) => renderSummary(summary, project, inputs.lane),
    };
  },
});

function renderSummary(summary: Summary, project: ProjectCheck, lane: string): void {
  summary
    .addHeading(
      `SIGIL.ZERO · validate · ✅ ${project.entries.length} registry entries valid for the ${html(lane)} lane`,
      2,
    )
    .addRaw(
      `<p>Config <code>${html(project.config.path)}</code>${project.config.found ? "" : " (absent: defaults)"}, ` +
        `registry <code>${html(project.registryPath)}</code>.</p>`,
      true,
    )
    .addTable([
      [
        { data: "processor", header: true },
        { data: "entry", header: true },
        { data: "image", header: true },
        { data: "pinned", header: true },
      ],
      ...project.entries.map((e) => [
        `<code>${html(e.entry.ref)}</code>`,
        `<code>${html(e.file)}</code>`,
        `<code>${html(e.entry.image)}</code>`,
        e.pinned ? "yes" : "no (tag)",
      ]),
    ]);
}
