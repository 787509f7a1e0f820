import { resolve } from "node:path";
import { z } from "zod";
import { Mode, ProcessorRef } from "../core/index.js";
import { type PrLaneReport, type ProcessorVerdict, runPrLane, verifyLaneRuns } from "../lanes/index.js";
import { booleanInput, choiceInput, repositoryInput, textInput, workspacePathInput } from "./inputs.js";
import { type ActionOutcome, defineAction, html, type Summary } from "./runtime.js";

export const PrLaneInputs = z.strictObject({
  mode: choiceInput(Mode, "mock"),
  "changed-only": booleanInput(false),
  "base-ref": textInput(),
  "working-directory": workspacePathInput("."),
  world: workspacePathInput("artifacts"),
  config: workspacePathInput(".github/sigil.yml"),
  repository: repositoryInput(),
  /** One chunk of a fanned-out lane (pr-lane-matrix): comma-separated refs; empty = the selection. */
  "chunk-refs": textInput().pipe(
    z
      .string()
      .transform((text) =>
        text
          .split(",")
          .map((r) => r.trim())
          .filter((r) => r !== ""),
      )
      .pipe(z.array(ProcessorRef)),
  ),
});

/** The hermetic PR-lane check (docs/contracts/lanes.md) as a GitHub Action. */
export const prLaneAction = defineAction({
  name: "pr-lane",
  inputs: PrLaneInputs,
  async run(inputs, ctx) {
    const root = resolve(ctx.workspace, inputs["working-directory"]);
    const report = await runPrLane(
      {
        root,
        world: inputs.world,
        configPath: inputs.config,
        mode: inputs.mode,
        changedOnly: inputs["changed-only"],
        base: inputs["base-ref"],
        ...(inputs.repository ? { repoScope: inputs.repository } : {}),
        ...(inputs["chunk-refs"].length > 0 ? { refs: inputs["chunk-refs"] } : {}),
      },
      {
        env: ctx.env,
        logger: ctx.logger,
        phase: ctx.group,
        onProcessorLog: ctx.log,
        verifier: verifyLaneRuns,
      },
    );
    return {
      outputs: {
        "summary-path": resolve(root, report.summary_path),
        passed: String(report.ok),
        verdicts: JSON.stringify(Object.fromEntries(report.processors.map((p) => [p.ref, p.verdict]))),
      },
      summary: (summary) => renderSummary(summary, report),
      ...laneFailure(report.processors.filter((p) => p.verdict === "fail")),
    };
  },
});

function laneFailure(failed: readonly ProcessorVerdict[]): Pick<ActionOutcome, "failure"> {
  const [first] = failed;
  if (!first?.code) return {};
  const more =
    failed.length > 1
      ? ` (${failed.length - 1} more failed: ${failed
          .slice(1)
          .map((f) => f.ref)
          .join(", ")})`
      : "";
  return { failure: { code: first.code, message: `${first.message ?? first.ref}${more}` } };
}

function renderSummary(summary: Summary, report: PrLaneReport): void {
  const { selection, timing } = report;
  summary
    .addHeading(`SIGIL.ZERO · PR lane · ${report.ok ? "✅ passed" : "❌ failed"}`, 2)
    .addRaw(
      `<p>${report.processors.length} processor(s) run from source twice each, <code>mode=mock</code>, local adapter, no secrets. ` +
        `Registry <code>${html(report.registry.path)}</code> (${report.registry.entries} entries), ` +
        `config <code>${html(report.config.path)}</code>${report.config.found ? "" : " (absent: defaults)"}. ` +
        `Selection: ${html(selection.reason)}.</p>`,
      true,
    );
  if (report.processors.length > 0) {
    summary.addTable([
      [
        { data: "processor", header: true },
        { data: "outputs", header: true },
        { data: "sha256 prefix", header: true },
        { data: "verdict", header: true },
      ],
      ...report.processors.map((p) => [
        `<code>${html(p.ref)}</code>`,
        p.outputs.map((o) => `<code>${html(o.path)}</code>`).join("<br>") || "—",
        p.outputs_index_sha256 ? `<code>${p.outputs_index_sha256.slice(0, 12)}</code>` : "—",
        p.verdict === "pass" ? "✅ pass" : `❌ fail <code>${p.code ?? ""}</code>`,
      ]),
    ]);
  }
  for (const p of report.processors.filter((v) => v.verdict === "fail")) {
    const lines = [p.message ?? "", ...p.differences.map((d) => `• ${d}`)].filter((l) => l !== "");
    summary.addDetails(`${html(p.ref)}: why it failed`, `<pre>${html(lines.join("\n"))}</pre>`);
  }
  if (selection.skipped.length > 0) {
    summary.addRaw(
      `<p>Unchanged, not run: ${selection.skipped.map((r) => `<code>${html(r)}</code>`).join(", ")}</p>`,
      true,
    );
  }
  const verifier = report.processors.some((p) => p.verifier !== "not-available")
    ? "ran"
    : "not available yet";
  summary.addRaw(
    `<p>Verifier: ${verifier}. Time: ${timing.total_ms} ms total, ${timing.processors_ms} ms in processors, ` +
      `${timing.overhead_ms} ms overhead. Report: <code>${html(report.summary_path)}</code></p>`,
    true,
  );
}
