import { type Clock, canonicalize } from "../core/index.js";
import type { VerifyReport } from "../world/verify/index.js";
import { gatherReport, type ReportVerdict } from "./gather.js";
import { type ReportFormat, renderReport } from "./render.js";
import { assertOutsideWorld, reportFormatOf, writeReportFile, writeReportSite } from "./write.js";

export { type GatherDeps, gatherReport, type ReportModel, type ReportRun, runKey } from "./gather.js";
export { PAGE_ROWS } from "./index-page.js";
export { INLINE_DETAILS_MAX, OVERVIEW_MAX_NODES, type ReportFormat, renderReport } from "./render.js";
export { reportFormatOf, SITE_MARKER } from "./write.js";

export interface GenerateReportRequest {
  worldRoot: string;
  /** A `.html` file (one self-contained page) or a folder (index.html + one page per run). */
  out: string;
  /** The verifier, as the face runs it (in-process or on worker threads). */
  verify: (worldRoot: string) => Promise<VerifyReport>;
  /** Absent: a deterministic report, without the generation time. */
  clock?: Clock;
}

/** What `sigil report --json` prints. */
export interface ReportSummary {
  status: "ok";
  out: string;
  format: ReportFormat;
  files: number;
  bytes: number;
  generated_at: string | null;
  verdict: Omit<ReportVerdict, "byCode" | "runsWithFindings"> & {
    by_code: Record<string, number>;
    runs_with_findings: number;
  };
}

/** Gather the model (verifier included), render it, and write it atomically to `out`. */
export async function generateReport(request: GenerateReportRequest): Promise<ReportSummary> {
  await assertOutsideWorld(request.worldRoot, request.out);
  const format = reportFormatOf(request.out);
  const model = await gatherReport(request.worldRoot, {
    verify: request.verify,
    ...(request.clock ? { clock: request.clock } : {}),
  });
  const files = renderReport(model, format);
  let bytes = 0;
  for (const text of files.values()) bytes += Buffer.byteLength(text);
  if (format === "file") await writeReportFile(request.out, files.get("report.html") ?? "");
  else writeReportSite(request.out, files);
  const { byCode, runsWithFindings, ...verdict } = model.verdict;
  return {
    status: "ok",
    out: request.out,
    format,
    files: files.size,
    bytes,
    generated_at: model.generatedAt ?? null,
    verdict: { ...verdict, by_code: Object.fromEntries(byCode), runs_with_findings: runsWithFindings },
  };
}

/** The summary as one canonical JSON line (sorted keys): stable for scripts and tests. */
export function renderSummaryJson(summary: ReportSummary): string {
  return canonicalize(summary);
}
export { esc, html, Markup } from "./html.js";
export { buildLineage, chainAround, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "./lineage.js";
export { newPreviewBudget, PREVIEW_LIMITS, type Preview, previewOutput } from "./preview.js";
