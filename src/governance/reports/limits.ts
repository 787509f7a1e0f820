/** GitHub's limits (docs/checks-and-reports.md): a check run's summary and text, a comment body, annotations. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
export const COMMENT_BODY_LIMIT = 65_536;
export const ANNOTATIONS_PER_REQUEST = 50;
export const ANNOTATION_MESSAGE_LIMIT = 4_000;
export const ANNOTATION_TITLE_LIMIT = 255;

export interface Fitted {
  text: string;
  truncated: boolean;
  /** Lines of the original left out (0 when it fit). */
  omittedLines: number;
}

const FENCE = /^\s*(```|~~~)/;

/** `text` cut to `limit` characters without splitting a surrogate pair. */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const end = limit > 0 && /[\uD800-\uDBFF]/.test(text.charAt(limit - 1)) ? limit - 1 : limit;
  return text.slice(0, Math.max(0, end));
}

/**
 * Fits Markdown under `limit` characters: whole lines are kept while they fit, a code fence left
 * open is closed, and a footer says how many lines were left out and links the full report.
 */
export function fitMarkdown(markdown: string, limit: number, fullReportUrl?: string): Fitted {
  if (markdown.length <= limit) return { text: markdown, truncated: false, omittedLines: 0 };
  const lines = markdown.split("\n");
  const footer = (omitted: number, fenceOpen: boolean) =>
    `${fenceOpen ? "```\n" : ""}\n> ✂️ Truncated: ${omitted} of ${lines.length} lines not shown (GitHub's ${limit}-character limit).${
      fullReportUrl ? ` [Full report](${fullReportUrl})` : ""
    }\n`;
  const reserve = footer(lines.length, true).length;
  const kept: string[] = [];
  let size = 0;
  let fenceOpen = false;
  for (const line of lines) {
    if (size + line.length + 1 + reserve > limit) break;
    kept.push(line);
    size += line.length + 1;
    if (FENCE.test(line)) fenceOpen = !fenceOpen;
  }
  const omitted = lines.length - kept.length;
  const body = kept.length > 0 ? `${kept.join("\n")}\n` : "";
  return {
    text: clip(`${body}${footer(omitted, fenceOpen)}`, limit),
    truncated: true,
    omittedLines: omitted,
  };
}
