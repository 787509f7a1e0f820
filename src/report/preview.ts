import { readBounded } from "./read-file.js";

/** How much of an output the report shows: bounded, so a large World cannot blow the page up. */
export const PREVIEW_LIMITS = {
  /** Characters of a text output shown. */
  textChars: 2000,
  /** Lines of a text output shown. */
  textLines: 40,
  /** Images larger than this are listed, not inlined. */
  imageBytes: 96 * 1024,
  /** Inlined image bytes across the whole report; later images are listed only. */
  imageBudget: 4 * 1024 * 1024,
} as const;

export type Preview =
  | { kind: "text"; text: string; truncated: boolean }
  | { kind: "image"; mime: string; dataUri: string }
  | { kind: "none"; why: string };

const TEXT_EXTENSIONS = new Set([
  "txt",
  "md",
  "json",
  "jsonl",
  "ndjson",
  "csv",
  "tsv",
  "yaml",
  "yml",
  "xml",
  "html",
  "htm",
  "svg",
  "log",
  "toml",
  "ini",
  "py",
  "ts",
  "js",
  "sh",
]);

/** Raster formats by magic bytes: the declared extension is not trusted to pick the MIME type. */
const IMAGE_MAGIC: readonly { mime: string; test: (b: Buffer) => boolean }[] = [
  {
    mime: "image/png",
    test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { mime: "image/jpeg", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    mime: "image/gif",
    test: (b) =>
      b.subarray(0, 6).toString("latin1") === "GIF87a" || b.subarray(0, 6).toString("latin1") === "GIF89a",
  },
  {
    mime: "image/webp",
    test: (b) =>
      b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP",
  },
];
const IMAGE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "webp"]);

const extensionOf = (path: string) => /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? "";

/** Decodes UTF-8 strictly; undefined for bytes that are not text (invalid UTF-8 or a NUL). */
function asText(bytes: Buffer, cut: boolean): string | undefined {
  // A bounded read may end inside a multi-byte character: drop an incomplete tail before decoding.
  let end = bytes.length;
  if (cut) {
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && ((bytes[end - back - 1] ?? 0) & 0xc0) === 0x80) back++;
    const lead = bytes[end - back - 1];
    if (lead !== undefined && lead >= 0xc0) end -= back + 1;
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end));
    return text.includes("\0") ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Shared across one report: images inline until the budget is spent. */
export interface PreviewBudget {
  imageBytesLeft: number;
}

export function newPreviewBudget(): PreviewBudget {
  return { imageBytesLeft: PREVIEW_LIMITS.imageBudget };
}

/** The preview of one output of a run folder, by extension first so unpreviewable files are never opened. */
export function previewOutput(
  runDir: string,
  path: string,
  recordedBytes: number,
  budget: PreviewBudget,
): Preview | undefined {
  const ext = extensionOf(path);
  if (TEXT_EXTENSIONS.has(ext)) {
    const read = readBounded(runDir, path, PREVIEW_LIMITS.textChars * 4);
    if (!read) return { kind: "none", why: "not readable" };
    const cut = read.size > read.bytes.length;
    const text = asText(read.bytes, cut);
    if (text === undefined) return { kind: "none", why: "not UTF-8 text" };
    const lines = text.split("\n");
    let shown = lines.slice(0, PREVIEW_LIMITS.textLines).join("\n");
    if (shown.length > PREVIEW_LIMITS.textChars) shown = shown.slice(0, PREVIEW_LIMITS.textChars);
    return { kind: "text", text: shown, truncated: cut || shown.length < text.length };
  }
  if (IMAGE_EXTENSIONS.has(ext)) {
    if (recordedBytes > PREVIEW_LIMITS.imageBytes) return { kind: "none", why: "image too large to inline" };
    if (recordedBytes > budget.imageBytesLeft)
      return { kind: "none", why: "the report's image budget is spent" };
    const read = readBounded(runDir, path, PREVIEW_LIMITS.imageBytes + 1);
    if (!read || read.size > PREVIEW_LIMITS.imageBytes) return { kind: "none", why: "not readable" };
    const mime = IMAGE_MAGIC.find((m) => m.test(read.bytes))?.mime;
    if (!mime) return { kind: "none", why: "not a PNG, JPEG, GIF or WebP image" };
    budget.imageBytesLeft -= read.bytes.length;
    return { kind: "image", mime, dataUri: `data:${mime};base64,${read.bytes.toString("base64")}` };
  }
  return undefined;
}
