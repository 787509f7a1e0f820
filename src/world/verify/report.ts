import { canonicalize } from "../../core/index.js";
import type { VerifyReport } from "./verify-world.js";

/** The machine report: canonical JSON, so two verifications of the same world are byte-equal. */
export function renderReportJson(report: VerifyReport): string {
  return canonicalize({ ok: report.findings.length === 0, runs: report.runs, findings: report.findings });
}

const cell = (text: string | undefined) => (text ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The human report: a verdict line, then one table row per finding. */
export function renderReportMarkdown(report: VerifyReport): string {
  const lines = [`# sigil verify`, ""];
  if (report.findings.length === 0) {
    lines.push(`✅ ${report.runs} run(s) verified, no findings.`);
    return `${lines.join("\n")}\n`;
  }
  const runs = new Set(report.findings.map((f) => f.run)).size;
  lines.push(`❌ ${report.findings.length} finding(s) in ${runs} of ${report.runs} run(s).`, "");
  lines.push("| code | run | path | expected | observed | message |", "|---|---|---|---|---|---|");
  for (const f of report.findings) {
    lines.push(
      `| \`${f.code}\` | ${cell(f.run)} | ${cell(f.path)} | ${cell(f.expected)} | ${cell(f.observed)} | ${cell(f.message)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
