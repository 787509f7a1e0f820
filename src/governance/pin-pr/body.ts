import { sha256Hex } from "../../core/index.js";
import { type PinPrMarker, renderMarker } from "./marker.js";
import type { PinRow } from "./plan.js";

/** The build run a pin PR comes from, as the body shows it. */
export interface PinSource {
  runId: number;
  runNumber: number;
  runAttempt: number;
  runUrl: string | null;
  /** The commit Build & Pin built (the workflow run's head sha). */
  sourceCommit: string;
}

export const PIN_PR_TITLE_PREFIX = "sigil: pin processor images";

export function pinPrTitle(base: string, rows: readonly PinRow[]): string {
  const changed = rows.filter((r) => r.changed).length;
  return `${PIN_PR_TITLE_PREFIX} on ${base} (${changed} digest${changed === 1 ? "" : "s"})`;
}

const short = (s: string) => (s.startsWith("sha256:") ? `sha256:${s.slice(7, 19)}…` : s.slice(0, 12));

function digestOf(image: string): string {
  const at = image.indexOf("@");
  return at < 0
    ? `tag \`${image.slice(image.lastIndexOf(":") + 1)}\` (unpinned)`
    : `\`${short(image.slice(at + 1))}\``;
}

/**
 * The visible body: why each digest moved (which run rebuilt which image from which commit),
 * the table reviewers judge, and per-platform digests. Deterministic: no clock.
 */
export function renderPinBody(base: string, rows: readonly PinRow[], source: PinSource): string {
  const run = source.runUrl
    ? `[Build & Pin run #${source.runNumber}](${source.runUrl})`
    : `Build & Pin run #${source.runNumber}`;
  const attempt = source.runAttempt > 1 ? ` (attempt ${source.runAttempt})` : "";
  const lines = [
    `${run}${attempt} rebuilt these processor images from source commit \`${source.sourceCommit.slice(0, 12)}\` and asserted every required platform. Merging this PR points \`${base}\`'s registry at the new digests.`,
    "",
    "| processor | old digest | new digest | platforms | source commit | build run |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of rows.filter((row) => row.changed)) {
    const link = source.runUrl ? `[#${source.runNumber}](${source.runUrl})` : `#${source.runNumber}`;
    lines.push(
      `| \`${r.ref}\` | ${digestOf(r.oldImage)} | ${digestOf(r.newImage)} | ${r.platforms.join(", ")} | \`${r.sourceCommit.slice(0, 12)}\` | ${link} |`,
    );
  }
  lines.push(
    "",
    "**Why the digests moved:** each image above was built again by the run linked, from the source commit shown (tag " +
      "shown below); a digest changes when the processor's source, its registry entry, the shared runtime or the base image changed since the last pin.",
    "",
    "<details><summary>Per-platform digests</summary>",
    "",
    "| processor | tag | platform | digest |",
    "|---|---|---|---|",
  );
  for (const r of rows.filter((row) => row.changed))
    for (const [platform, digest] of Object.entries(r.platformDigests).sort(([a], [b]) => (a < b ? -1 : 1)))
      lines.push(`| \`${r.ref}\` | \`${r.tag}\` | ${platform} | \`${digest}\` |`);
  lines.push(
    "",
    "</details>",
    "",
    "Opened by the SIGIL App; edits to this branch are refused, not overwritten.",
  );
  return lines.join("\n");
}

export function bodyHash(visible: string): string {
  return sha256Hex(visible);
}

/** The body as sent: the visible part, then the hidden marker. */
export function withMarker(visible: string, marker: PinPrMarker): string {
  return `${visible}\n\n${renderMarker(marker)}\n`;
}
