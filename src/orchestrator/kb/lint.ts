import { createRedactor, SigilError } from "../../core/index.js";

/** The report limits (docs/orchestrator.md). */
export const MAX_DOC_LINES = 250;
export const MAX_EXCERPT_LINES = 50;

export type DocKind = "phase" | "gate" | "final";

export interface LintContext {
  readonly kind: DocKind;
  readonly runId: string;
  /** Ids this run minted: any other UUID in a doc names another run's things. */
  readonly ownIds: readonly string[];
  /** This run's KB folder name (`v<version16>-<slug>`). */
  readonly folderName: string;
}

export interface LintFinding {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const KB_FOLDER = /\bv[0-9a-f]{16}-[a-z0-9-]+-\d{8}(?:-\d{4})?\b/g;
const DSN =
  /\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|jdbc:[a-z]+):\/\/\S+/i;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----/;
const redactKnownShapes = createRedactor([]);

/** Every rule a KB doc breaks; empty when it may be uploaded. */
export function lintKbDoc(text: string, ctx: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length > MAX_DOC_LINES)
    findings.push({
      rule: "length",
      line: MAX_DOC_LINES + 1,
      message: `${lines.length} lines, over ${MAX_DOC_LINES}`,
    });
  const own = new Set([ctx.runId, ...ctx.ownIds].map((id) => id.toLowerCase()));
  let fence: { start: number; info: string } | undefined;
  lines.forEach((line, i) => {
    const at = i + 1;
    if (redactKnownShapes(line) !== line || PRIVATE_KEY.test(line))
      findings.push({ rule: "secret", line: at, message: "a secret-looking string" });
    if (DSN.test(line))
      findings.push({ rule: "dsn", line: at, message: "a database connection string (DSN)" });
    for (const id of line.match(UUID) ?? [])
      if (!own.has(id.toLowerCase()))
        findings.push({ rule: "other-run", line: at, message: `${id} is not an id of this run` });
    for (const folder of line.match(KB_FOLDER) ?? [])
      if (folder !== ctx.folderName)
        findings.push({ rule: "other-run", line: at, message: `${folder} is another run's KB folder` });
    if (ctx.kind !== "final" && /^#+\s.*next steps/i.test(line))
      findings.push({ rule: "speculation", line: at, message: "next steps belong in the final report only" });
    const marker = /^(```|~~~)(.*)$/.exec(line);
    if (marker) {
      if (!fence) fence = { start: at, info: (marker[2] ?? "").trim() };
      else {
        const body = at - fence.start - 1;
        if (fence.info !== "mermaid" && body > MAX_EXCERPT_LINES)
          findings.push({
            rule: "excerpt",
            line: fence.start,
            message: `a ${body}-line excerpt, over ${MAX_EXCERPT_LINES}`,
          });
        fence = undefined;
      }
    }
  });
  if (ctx.kind !== "gate") findings.push(...structure(lines));
  return findings;
}

const SECTIONS = [
  "1 Inputs",
  "2 Work performed",
  "3 Snapshot diff",
  "4 Internal-gate invariants",
  "5 Artifacts produced",
  "6 Verdict",
];

function structure(lines: readonly string[]): LintFinding[] {
  const findings: LintFinding[] = [];
  if (!/^# .+ \u00b7 \d{2} of \d{2} \u00b7 [0-9a-f-]{36}$/.test(lines[0] ?? ""))
    findings.push({
      rule: "template",
      line: 1,
      message: "title must be `# <Phase> · <NN> of <total> · <run_id>`",
    });
  const text = lines.join("\n");
  for (const key of ["phase", "outcome", "production_mutation", "run_id"])
    if (!new RegExp(`^${key}: `, "m").test(text))
      findings.push({ rule: "template", line: 1, message: `YAML header lacks ${key}` });
  let from = 0;
  for (const section of SECTIONS) {
    const at = lines.findIndex((l, i) => i >= from && l === `## ${section}`);
    if (at < 0)
      findings.push({
        rule: "template",
        line: from + 1,
        message: `section "${section}" missing or out of order`,
      });
    else from = at + 1;
  }
  return findings;
}

/** Throws ERR_KB_LINT naming every broken rule: such a doc is never uploaded. */
export function assertKbDoc(path: string, text: string, ctx: LintContext): void {
  const findings = lintKbDoc(text, ctx);
  if (findings.length === 0) return;
  const summary = findings.map((f) => `line ${f.line}: ${f.rule}: ${f.message}`).join("; ");
  throw new SigilError("ERR_KB_LINT", `${path}: ${summary}`, { findings });
}
