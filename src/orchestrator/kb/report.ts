import { canonicalize } from "../../core/index.js";
import type { ContextPins, RunContext, StepRecord } from "../context.js";
import type { GateStep, PhaseResult, Pipeline } from "../pipeline.js";

/**
 * The KB report template (docs/orchestrator.md): a title, a YAML header, sections 1–6. Every byte
 * comes from the run's persisted context and the phase's payload: no clock, so a resumed run
 * renders the very same doc.
 */
const cell = (value: string) => value.replaceAll("|", "\\|").replaceAll("\n", " ");

function pinsExcerpt(pins: ContextPins): string[] {
  return ["```json", ...JSON.stringify(JSON.parse(canonicalize(pins)), null, 2).split("\n"), "```"];
}

export interface PhaseDocInput {
  run: Readonly<RunContext>;
  nn: number;
  total: number;
  name: string;
  title: string;
  key: string;
  payloadSha: string;
  result: PhaseResult;
}

export function renderPhaseDoc(input: PhaseDocInput): string {
  const { run, result } = input;
  const outcome = result.invariants.every((i) => i.ok) ? "PASS" : "FAIL";
  const lines = [
    `# ${input.title} · ${String(input.nn).padStart(2, "0")} of ${String(input.total).padStart(2, "0")} · ${run.run_id}`,
    "",
    "```yaml",
    `phase: ${input.name}`,
    `outcome: ${outcome}`,
    `production_mutation: ${result.productionMutation}`,
    `run_id: ${run.run_id}`,
    `pipeline: ${run.pipeline}`,
    `subject_id: ${run.subject_id}`,
    `idempotency_key: ${input.key}`,
    `payload_sha256: ${input.payloadSha}`,
    "```",
    "",
    "## 1 Inputs",
    "",
    `Source \`${run.source_path}\`, version \`${run.source_version_id}\`. Context pins at this phase:`,
    "",
    ...pinsExcerpt(run.context_pins),
    "",
    "## 2 Work performed",
    "",
    ...result.work.map((w) => `- ${w}`),
    "",
    "## 3 Snapshot diff",
    "",
    ...result.diff.map((d) => `- ${d}`),
    "",
    "## 4 Internal-gate invariants",
    "",
    "| invariant | expected | observed | ok |",
    "|---|---|---|---|",
    ...result.invariants.map(
      (i) => `| ${cell(i.invariant)} | ${cell(i.expected)} | ${cell(i.observed)} | ${i.ok ? "yes" : "no"} |`,
    ),
    "",
    "## 5 Artifacts produced",
    "",
    ...(result.artifacts.length === 0
      ? ["None."]
      : [
          "| path | sha256 | bytes |",
          "|---|---|---|",
          ...result.artifacts.map((a) => `| ${cell(a.path)} | ${a.sha256} | ${a.bytes} |`),
        ]),
    "",
    "## 6 Verdict",
    "",
    outcome === "PASS"
      ? `PASS: every invariant of ${input.name} holds.`
      : `FAIL: ${result.invariants
          .filter((i) => !i.ok)
          .map((i) => i.invariant)
          .join("; ")}.`,
  ];
  return `${lines.join("\n")}\n`;
}

export function renderGateRequest(
  run: Readonly<RunContext>,
  gate: GateStep,
  keys: readonly StepRecord[],
): string {
  const lines = [
    `# ${gate.id} ${gate.name} · authorization request · ${run.run_id}`,
    "",
    "```yaml",
    `gate: ${gate.id}`,
    `gate_name: ${gate.name}`,
    `run_id: ${run.run_id}`,
    `pipeline: ${run.pipeline}`,
    `subject_id: ${run.subject_id}`,
    `source_version_id: ${run.source_version_id}`,
    "```",
    "",
    "## Request",
    "",
    `A sovereign's approval of this request authorises ${gate.authorises}.`,
    "",
    "## Context pins",
    "",
    ...pinsExcerpt(run.context_pins),
    "",
    "## Phases completed",
    "",
    "| phase | idempotency key |",
    "|---|---|",
    ...keys.filter((s) => s.kind === "phase").map((s) => `| ${s.name} | ${s.key} |`),
    "",
    "## How to approve",
    "",
    "Local governance repository: `sigil orchestrate approve <this doc> --key <your ssh key>`.",
    "GitHub: an APPROVED review of the request pull request by a configured sovereign.",
  ];
  return `${lines.join("\n")}\n`;
}

export function renderMermaid(pipeline: Pipeline, run: Readonly<RunContext>): string[] {
  const lines = ["```mermaid", "flowchart LR"];
  let prev: string | undefined;
  let n = 0;
  for (const step of pipeline.steps) {
    const record = run.steps.find((s) => s.name === (step.kind === "phase" ? step.name : step.id));
    const id = step.kind === "phase" ? `P${String(++n).padStart(2, "0")}` : step.id;
    const outcome = record?.outcome ?? "NOT RUN";
    const node =
      step.kind === "phase"
        ? `${id}["${step.name} · ${outcome}"]`
        : `${id}{"${step.id} ${step.name} · ${outcome}"}`;
    lines.push(prev ? `  ${prev} --> ${node}` : `  ${node}`);
    prev = id;
  }
  lines.push(`  ${prev} --> FINAL(["final report"])`, "```");
  return lines;
}

export function renderFinalReport(pipeline: Pipeline, run: Readonly<RunContext>, nn: number): string {
  const phaseSteps = run.steps.filter((s) => s.kind === "phase");
  const gates = run.steps.filter((s) => s.kind === "gate");
  const lines = [
    `# Final orchestrator report · ${String(nn).padStart(2, "0")} of ${String(nn).padStart(2, "0")} · ${run.run_id}`,
    "",
    "```yaml",
    "phase: final-orchestrator-report",
    `outcome: ${phaseSteps.every((s) => s.outcome === "PASS") ? "PASS" : "FAIL"}`,
    `production_mutation: ${phaseSteps.some((s) => s.production_mutation)}`,
    `run_id: ${run.run_id}`,
    `pipeline: ${run.pipeline}`,
    `subject_id: ${run.subject_id}`,
    "```",
    "",
    "## 1 Inputs",
    "",
    `Source \`${run.source_path}\`, version \`${run.source_version_id}\`, started ${run.started_at} by ${run.actor}. Final context pins:`,
    "",
    ...pinsExcerpt(run.context_pins),
    "",
    "## 2 Work performed",
    "",
    ...renderMermaid(pipeline, run),
    "",
    "## 3 Snapshot diff",
    "",
    ...phaseSteps.map((s) => `- ${s.doc_path.split("/").at(-1)} (sha256 ${s.doc_sha256})`),
    "",
    "## 4 Internal-gate invariants",
    "",
    "| invariant | expected | observed | ok |",
    "|---|---|---|---|",
    ...phaseSteps.map(
      (s) => `| ${s.name} key chains | ${s.key} | ${s.key} | ${s.outcome === "PASS" ? "yes" : "no"} |`,
    ),
    ...gates.map(
      (g) =>
        `| ${g.name} approved | sovereign | ${g.approval ? cell(`${g.approval.approver} (${g.approval.method})`) : "none"} | ${g.approval ? "yes" : "no"} |`,
    ),
    "",
    "## 5 Artifacts produced",
    "",
    "| path | sha256 | bytes |",
    "|---|---|---|",
    ...run.steps.map((s) => `| ${s.doc_path.split("/").at(-1)} | ${s.doc_sha256} | ${s.doc_bytes} |`),
    "",
    "## 6 Verdict",
    "",
    `${phaseSteps.every((s) => s.outcome === "PASS") ? "PASS" : "FAIL"}: ${phaseSteps.length} phases and ${gates.length} gates of ${run.pipeline} completed for ${run.subject_id}.`,
    "",
    "### Next steps",
    "",
    "- None required by the pipeline; the ledger holds the enacted change set.",
  ];
  return `${lines.join("\n")}\n`;
}
