import type { CheckAnnotation } from "../reports/index.js";
import type { PinCheckResult, PinCheckRow } from "./check.js";

export const PIN_CHECK_NAME = "sigil/pin-verify";

const cell = (text: string | undefined) => (text ?? "").replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
const shortDigest = (digest: string | undefined) => (digest ? `\`${digest.slice(0, 19)}…\`` : "");

export function pinCheckTitle(result: PinCheckResult): string {
  const bad = result.rows.filter((r) => !r.ok).length;
  if (result.rows.length === 0) return "No registry entries";
  return bad === 0
    ? `${result.rows.length} registry entr${result.rows.length === 1 ? "y" : "ies"} verified`
    : `${bad} of ${result.rows.length} registry entries failed`;
}

function resultCell(row: PinCheckRow): string {
  if (!row.ok) return `❌ \`${row.error?.code ?? ""}\``;
  if (!row.digest) return "✅ tag (not pinned)";
  return `✅ ${(row.platforms ?? []).join(", ")}`;
}

/** The check run's summary: the verdict, the rules applied, and one table row per entry. */
export function renderPinCheckSummary(result: PinCheckResult): string {
  const lines = [
    `**${result.conclusion === "success" ? "✅" : "❌"} ${pinCheckTitle(result)}** (${result.lane} lane; images must be \`ghcr.io/${result.scope.toLowerCase()}/…\`${result.lane === "main" ? " and pinned by digest" : ""}).`,
    "",
  ];
  if (result.truncated)
    lines.push("⚠️ GitHub truncated the tree listing: some registry files could not be checked.", "");
  if (result.rows.length > 0) {
    lines.push("| | ref | file | digest | result |", "|---|---|---|---|---|");
    for (const row of result.rows)
      lines.push(
        `| ${row.ok ? "✅" : "❌"} | ${cell(row.ref ?? "—")} | \`${cell(row.path)}\` | ${shortDigest(row.digest ?? digestOf(row.image))} | ${resultCell(row)} |`,
      );
  }
  return `${lines.join("\n")}\n`;
}

function digestOf(image: string | undefined): string | undefined {
  const at = image?.indexOf("@") ?? -1;
  return image && at >= 0 ? image.slice(at + 1) : undefined;
}

/** One failure annotation per failing entry, on the line of the key at fault. */
export function pinCheckAnnotations(result: PinCheckResult): CheckAnnotation[] {
  return result.rows
    .filter((r) => !r.ok)
    .map((r) => ({
      path: r.path,
      start_line: r.line,
      end_line: r.line,
      annotation_level: "failure" as const,
      title: `${r.error?.code ?? "failed"}${r.ref ? ` · ${r.ref}` : ""}`,
      message: r.error?.message ?? "failed",
    }));
}
