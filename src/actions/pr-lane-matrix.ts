import { resolve } from "node:path";
import { z } from "zod";
import { ProcessorRef, parseJsonStrict } from "../core/index.js";
import {
  aggregateFailure,
  aggregateReports,
  DEFAULT_CHUNK_SIZE,
  type LaneAggregate,
  type LanePlan,
  planPrLane,
  readChunkReports,
} from "../lanes/index.js";
import { booleanInput, choiceInput, repositoryInput, textInput, workspacePathInput } from "./inputs.js";
import { type ActionOutcome, defineAction, html, type Summary } from "./runtime.js";

const chunkSizeInput = textInput(String(DEFAULT_CHUNK_SIZE)).pipe(
  z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, "must be a positive integer")
    .transform(Number),
);
/** The plan's `selected` output, handed to the aggregate: a JSON array of refs. */
const selectedInput = textInput("[]").transform((text, ctx) => {
  try {
    const parsed = z.array(ProcessorRef).safeParse(parseJsonStrict(text));
    if (parsed.success) return parsed.data;
  } catch {}
  ctx.addIssue({ code: "custom", message: "must be a JSON array of processor refs" });
  return z.NEVER;
});

export const PrLaneMatrixInputs = z.strictObject({
  step: choiceInput(z.enum(["plan", "aggregate"]), "plan"),
  "changed-only": booleanInput(false),
  "base-ref": textInput(),
  "working-directory": workspacePathInput("."),
  config: workspacePathInput(".github/sigil.yml"),
  repository: repositoryInput(),
  "chunk-size": chunkSizeInput,
  selected: selectedInput,
  reports: workspacePathInput(".sigil/pr-lane-reports"),
});

/**
 * The PR lane fanned out over a job matrix (docs/adoption.md): `plan` selects and chunks,
 * `aggregate` turns every chunk's report into one summary and one outcome.
 */
export const prLaneMatrixAction = defineAction({
  name: "pr-lane-matrix",
  inputs: PrLaneMatrixInputs,
  async run(inputs, ctx): Promise<ActionOutcome> {
    if (inputs.step === "plan") {
      const plan = await ctx.group("select and chunk", () =>
        planPrLane(
          {
            root: resolve(ctx.workspace, inputs["working-directory"]),
            configPath: inputs.config,
            changedOnly: inputs["changed-only"],
            base: inputs["base-ref"],
            ...(inputs.repository ? { repoScope: inputs.repository } : {}),
            chunkSize: inputs["chunk-size"],
          },
          { env: ctx.env, logger: ctx.logger },
        ),
      );
      return {
        outputs: {
          matrix: JSON.stringify(plan.matrix),
          selected: JSON.stringify(plan.selection.selected),
          count: String(plan.selection.selected.length),
        },
        summary: (summary) => renderPlan(summary, plan),
      };
    }
    const reports = await ctx.group("read chunk reports", () =>
      readChunkReports(resolve(ctx.workspace, inputs.reports)),
    );
    const aggregate = aggregateReports(inputs.selected, reports);
    const failure = aggregateFailure(aggregate);
    return {
      outputs: {
        passed: String(aggregate.ok),
        verdicts: JSON.stringify(Object.fromEntries(aggregate.processors.map((p) => [p.ref, p.verdict]))),
      },
      summary: (summary) => renderAggregate(summary, aggregate),
      ...(failure ? { failure: { code: failure.code, message: failure.message } } : {}),
    };
  },
});

function renderPlan(summary: Summary, plan: LanePlan & { entries: number }): void {
  summary
    .addHeading("SIGIL.ZERO · PR lane · plan", 3)
    .addRaw(
      `<p>${plan.selection.selected.length} of ${plan.entries} processor(s) selected (${html(plan.selection.reason)}), ` +
        `${plan.chunks.length} chunk(s) of up to ${plan.chunk_size}.</p>`,
      true,
    );
}

function renderAggregate(summary: Summary, aggregate: LaneAggregate): void {
  const failed = aggregate.processors.filter((p) => p.verdict === "fail");
  summary
    .addHeading(`SIGIL.ZERO · PR lane · ${aggregate.ok ? "✅ passed" : "❌ failed"}`, 2)
    .addRaw(
      `<p>${aggregate.processors.length} processor(s) from ${aggregate.reports} chunk report(s); ` +
        `${failed.length} failed; ${aggregate.processors_ms} ms in processors.</p>`,
      true,
    );
  if (aggregate.processors.length > 0) {
    summary.addTable([
      [
        { data: "processor", header: true },
        { data: "outputs", header: true },
        { data: "sha256 prefix", header: true },
        { data: "verdict", header: true },
      ],
      ...aggregate.processors.map((p) => [
        `<code>${html(p.ref)}</code>`,
        p.outputs.map((o) => `<code>${html(o)}</code>`).join("<br>") || "—",
        p.outputs_index_sha256 ? `<code>${html(p.outputs_index_sha256.slice(0, 12))}</code>` : "—",
        p.verdict === "pass" ? "✅ pass" : `❌ fail <code>${html(p.code ?? "")}</code>`,
      ]),
    ]);
  }
  for (const p of failed)
    summary.addDetails(`${html(p.ref)}: why it failed`, `<pre>${html(p.message ?? "")}</pre>`);
  if (aggregate.unexpected.length > 0) {
    summary.addRaw(
      `<p>Reported outside the selection or twice: ${aggregate.unexpected.map((r) => `<code>${html(r)}</code>`).join(", ")}</p>`,
      true,
    );
  }
}
