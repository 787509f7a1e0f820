import { canonicalize } from "../../core/index.js";
import type { VerifyReport } from "./verify-world.js";

/** The machine report: canonical JSON, so two verifications of the same world are byte-equal. */
export function renderReportJson(report: VerifyReport): string {
  return canonicalize({
    ok: report.findings.length === 0,
    runs: report.runs,
    executions: report.executions,
    pending: report.pending,
    failed: report.failed,
    findings: report.findings,
  });
}

const cell = (text: string | undefined) => (text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Pending and failed runs: listed after the verdict, never counted as findings. */
function stateLines(report: VerifyReport): string[] {
  const lines: string[] = [];
  for (const run of report.pending) lines.push(`- ⏳ pending: ${run} (executing now; not checked)`);
  for (const f of report.failed)
    lines.push(
      `- ✖ failed: ${f.run} ${f.code}${f.execution_id ? ` (execution ${f.execution_id})` : ""}: ${cell(f.message)}`,
    );
  return lines.length > 0 ? ["", ...lines] : [];
}

/** The human report: a verdict line, then one table row per finding. */
export function renderReportMarkdown(report: VerifyReport): string {
  const lines = [`# sigil verify`, ""];
  const visited = `${report.runs} run(s)${report.executions > 0 ? ` and ${report.executions} sigil run result(s)` : ""}`;
  if (report.findings.length === 0) {
    lines.push(`✅ ${visited} verified, no findings.`, ...stateLines(report));
    return `${lines.join("\n")}\n`;
  }
  const runs = new Set(report.findings.map((f) => f.run)).size;
  lines.push(`❌ ${report.findings.length} finding(s) in ${runs} of ${visited}.`, ...stateLines(report), "");
  lines.push("| code | run | path | expected | observed | message |", "|---|---|---|---|---|---|");
  for (const f of report.findings) {
    lines.push(
      `| \`${f.code}\` | ${cell(f.run)} | ${cell(f.path)} | ${cell(f.expected)} | ${cell(f.observed)} | ${cell(f.message)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
