import type { Finding, VerifyReport } from "../../world/verify/index.js";
import type { RunSummary } from "./world-runs.js";

/** Where the report came from: shown under the headline. */
export interface ReportOrigin {
  /** The commit verified. */
  headSha?: string;
  /** The workflow run that uploaded the World. */
  workflowRun?: { name: string; number?: number; url: string };
  /** The full report (governance repository), when it is published. */
  fullReportUrl?: string;
}

/** Text from an untrusted World inside a table cell: no pipes, no line breaks, no HTML, no code-span escape. */
const cell = (text: string | undefined) =>
  (text ?? "")
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
const code = (text: string) =>
  `\`${text
    .replace(/`/g, "'")
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")}\``;
/** A Mermaid label: quotes and angle brackets as entities, so the World cannot break the diagram. */
const label = (text: string) =>
  text
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/[\r\n]+/g, " ");

function headline(report: VerifyReport, runs: readonly RunSummary[]): string {
  const jobs = new Set(runs.map((r) => r.job_id)).size;
  const visited = `${runs.length} run${runs.length === 1 ? "" : "s"} in ${jobs} job${jobs === 1 ? "" : "s"}`;
  if (report.findings.length === 0) return `## ✅ World verified: ${visited}, no findings`;
  const bad = new Set(report.findings.map((f) => f.run)).size;
  return `## ❌ World does not verify: ${report.findings.length} finding${report.findings.length === 1 ? "" : "s"} in ${bad} of ${visited}`;
}

function originLine(origin: ReportOrigin): string[] {
  const parts: string[] = [];
  if (origin.headSha) parts.push(`commit \`${origin.headSha.slice(0, 12)}\``);
  if (origin.workflowRun) {
    const { name, number, url } = origin.workflowRun;
    parts.push(`workflow run [${cell(name)}${number !== undefined ? ` #${number}` : ""}](${url})`);
  }
  if (origin.fullReportUrl) parts.push(`[full report](${origin.fullReportUrl})`);
  return parts.length > 0 ? [parts.join(" · "), ""] : [];
}

/** The run chain, upstream → downstream; upstream runs missing from the World are drawn dashed. */
export function renderRunChain(runs: readonly RunSummary[], findings: readonly Finding[]): string[] {
  const ids = new Map(runs.map((r, i) => [r.path, `r${i}`]));
  const lines = ["```mermaid", "flowchart LR"];
  runs.forEach((r, i) => {
    lines.push(`  r${i}["${label(r.job_id)}<br/>${label(r.run_id)}"]`);
  });
  const missing: string[] = [];
  const edges: string[] = [];
  for (const run of runs) {
    for (const up of run.upstream) {
      let from = ids.get(up);
      if (from === undefined) {
        from = `u${missing.length}`;
        ids.set(up, from);
        const [job = "", id = ""] = up.split("/");
        missing.push(`  ${from}["${label(job)}<br/>${label(id)}<br/>(not in this World)"]`);
      }
      edges.push(`  ${from} --> ${ids.get(run.path)}`);
    }
  }
  lines.push(...missing, ...edges);
  const bad = runs.flatMap((r, i) => (findings.some((f) => f.run === r.path) ? [`r${i}`] : []));
  lines.push("  classDef bad fill:#ffebe9,stroke:#cf222e", "  classDef missing stroke-dasharray:4 3");
  if (bad.length > 0) lines.push(`  class ${bad.join(",")} bad`);
  if (missing.length > 0) lines.push(`  class ${missing.map((_, i) => `u${i}`).join(",")} missing`);
  lines.push("```");
  return lines;
}

function jobTables(runs: readonly RunSummary[], findings: readonly Finding[]): string[] {
  const byJob = new Map<string, RunSummary[]>();
  for (const run of runs) byJob.set(run.job_id, [...(byJob.get(run.job_id) ?? []), run]);
  const lines: string[] = [];
  for (const [job, jobRuns] of byJob) {
    lines.push(
      `### Job ${code(job)}`,
      "",
      "| run | type | processor | outputs | upstream | verdict |",
      "|---|---|---|---|---|---|",
    );
    for (const run of jobRuns) {
      const count = findings.filter((f) => f.run === run.path).length;
      lines.push(
        `| ${code(run.run_id)} | ${cell(run.job_type ?? "?")} | ${run.processor ? code(run.processor) : "?"} | ${run.outputs ?? "?"} | ${run.upstream.map(code).join(", ") || "—"} | ${count === 0 ? "✅" : `❌ ${count} finding${count === 1 ? "" : "s"}`} |`,
      );
    }
    lines.push("");
  }
  return lines;
}

function findingTable(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  const lines = ["### Findings", "", "| code | run | path | message |", "|---|---|---|---|"];
  for (const f of findings)
    lines.push(`| \`${f.code}\` | ${code(f.run)} | ${f.path ? code(f.path) : ""} | ${cell(f.message)} |`);
  lines.push("");
  return lines;
}

function stateLines(report: VerifyReport): string[] {
  const lines = [
    ...report.pending.map((run) => `- ⏳ pending: ${code(run)} (executing when uploaded; not checked)`),
    ...report.failed.map((f) => `- ✖ failed: ${code(f.run)} \`${f.code}\`: ${cell(f.message)}`),
  ];
  return lines.length > 0 ? [...lines, ""] : [];
}

/**
 * The verifier report as the App posts it (check run text, sticky comment, published report):
 * a headline verdict, the run chain as a Mermaid diagram, a table per job, then the findings.
 * Deterministic: the same World gives the same bytes (no clock), so republishing is a no-op.
 */
export function renderVerifierReport(
  report: VerifyReport,
  runs: readonly RunSummary[],
  origin: ReportOrigin = {},
): string {
  const lines = [headline(report, runs), "", ...originLine(origin), ...stateLines(report)];
  if (runs.length > 0) lines.push("### Run chain", "", ...renderRunChain(runs, report.findings), "");
  lines.push(...jobTables(runs, report.findings), ...findingTable(report.findings));
  if (report.executions > 0) lines.push(`Also checked: ${report.executions} \`sigil run\` result(s).`, "");
  return `${lines.join("\n").trimEnd()}\n`;
}
