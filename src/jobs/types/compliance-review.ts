import { z } from "zod";
import { canonicalBytes, parseWith, SigilError, sha256Hex } from "../../core/index.js";
import { type DoctrineRules, parseDoctrine } from "../doctrine.js";
import type { JobSnapshots, JobType, OutputFile, UpstreamReader } from "../job-type.js";
import { VERDICT_OUTPUT, verdictBytes } from "../verdict.js";

export const ComplianceReviewContext = z.strictObject({
  /** Which upstream output holds the copy to review. */
  subject: z
    .string()
    .regex(/^outputs\/[^\\]+$/, "an outputs/… path of the upstream run")
    .default("outputs/response.txt"),
  /** In strict mode warnings fail the review too. */
  strict: z.boolean().default(false),
});

export interface Finding {
  rule: string;
  severity: "error" | "warning";
  message: string;
}

const HASHTAG = /#[\p{L}\p{N}_]+/gu;

/** Check copy against doctrine rules. Pure and ordered, so its output bytes are stable. */
export function reviewCopy(text: string, rules: DoctrineRules): Finding[] {
  const findings: Finding[] = [];
  const chars = [...text].length;
  if (rules.max_chars !== undefined && chars > rules.max_chars) {
    findings.push({
      rule: "max_chars",
      severity: "error",
      message: `${chars} characters; at most ${rules.max_chars}`,
    });
  }
  const hashtags = text.match(HASHTAG)?.length ?? 0;
  if (rules.max_hashtags !== undefined && hashtags > rules.max_hashtags) {
    findings.push({
      rule: "max_hashtags",
      severity: "error",
      message: `${hashtags} hashtags; at most ${rules.max_hashtags}`,
    });
  }
  const lower = text.toLowerCase();
  for (const phrase of rules.banned_phrases) {
    if (lower.includes(phrase.toLowerCase()))
      findings.push({ rule: "banned_phrases", severity: "error", message: `uses "${phrase}"` });
  }
  for (const phrase of rules.required_phrases) {
    if (!lower.includes(phrase.toLowerCase()))
      findings.push({ rule: "required_phrases", severity: "warning", message: `does not say "${phrase}"` });
  }
  return findings;
}

function renderMarkdown(report: {
  verdict: string;
  findings: Finding[];
  doctrine: { doctrine_id: string; version: string };
  subject: { job_id: string; run_id: string; path: string };
}): string {
  const lines = [
    `# Compliance review: ${report.verdict.toUpperCase()}`,
    "",
    `- subject: ${report.subject.job_id}/${report.subject.run_id}/${report.subject.path}`,
    `- doctrine: ${report.doctrine.doctrine_id} ${report.doctrine.version}`,
    "",
    "| rule | severity | finding |",
    "|---|---|---|",
    ...report.findings.map((f) => `| ${f.rule} | ${f.severity} | ${f.message.replaceAll("|", "\\|")} |`),
  ];
  if (report.findings.length === 0) lines.push("| — | — | no findings |");
  return `${lines.join("\n")}\n`;
}

async function run(snapshots: JobSnapshots, upstream: UpstreamReader): Promise<OutputFile[]> {
  const context = parseWith(
    ComplianceReviewContext,
    snapshots.context,
    "ERR_RUN_CORRUPT",
    "context snapshot",
  );
  const { doctrine, prior } = snapshots;
  if (!doctrine || !prior)
    throw new SigilError("ERR_RUN_CORRUPT", "a compliance review needs doctrine and upstream");
  const bytes = await upstream.read(context.subject);
  const text = bytes.toString("utf8");
  const rules = parseDoctrine(doctrine.content, doctrine.doctrine_id).rules;
  const findings = reviewCopy(text, rules);
  const failing = findings.filter((f) => f.severity === "error" || context.strict);
  const report = {
    schema: "sigil.compliance-review/v1",
    verdict: failing.length === 0 ? "pass" : "fail",
    findings,
    doctrine: { doctrine_id: doctrine.doctrine_id, version: doctrine.version, sha256: doctrine.sha256 },
    subject: { job_id: prior.job_id, run_id: prior.run_id, path: context.subject, sha256: sha256Hex(bytes) },
    strict: context.strict,
  };
  return [
    { relpath: "outputs/review.json", bytes: canonicalBytes(report) },
    { relpath: "outputs/review.md", bytes: Buffer.from(renderMarkdown(report), "utf8") },
    { relpath: VERDICT_OUTPUT, bytes: verdictBytes(report.verdict === "pass" ? "PASS" : "FAIL") },
  ];
}

export const complianceReview: JobType = {
  id: "brand.compliance_review",
  // 2: outputs/verdict.json joined the outputs (the same snapshots give other bytes).
  version: 2,
  summary: "Check an upstream brand.instagram_copy run's caption against doctrine rules (in-process).",
  context: ComplianceReviewContext,
  contextPaths: ["subject"],
  usesModel: false,
  doctrine: "required",
  upstream: { jobTypes: ["brand.instagram_copy"] },
  executor: { kind: "builtin", ref: "builtin/compliance-review@1", run },
};
