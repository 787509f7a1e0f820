import { z } from "zod";
import { SigilError } from "../../core/index.js";
import { INDEX_TYPES, MANIFEST_TYPES } from "./media-types.js";

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256:<64 hex>");

export const Platform = z.looseObject({
  os: z.string().min(1),
  architecture: z.string().min(1),
  variant: z.string().min(1).optional(),
});
export type Platform = z.infer<typeof Platform>;

export const Descriptor = z.looseObject({
  mediaType: z.string().min(1),
  digest: Digest,
  size: z.number().int().nonnegative(),
  platform: Platform.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

export const ImageIndex = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof ImageIndex>;

export const ImageManifest = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
});
export type ImageManifest = z.infer<typeof ImageManifest>;

export type ParsedManifest =
  | { kind: "index"; index: ImageIndex }
  | { kind: "manifest"; manifest: ImageManifest };

/**
 * Reads manifest bytes as an index or an image manifest. The body's own `mediaType` wins over the
 * Content-Type header (registries are not always careful with the header).
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | null,
  where: string,
): {
  mediaType: string;
  parsed: ParsedManifest;
} {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new SigilError(
      "ERR_IMAGE_UNAVAILABLE",
      `${where}: the registry answered a manifest that is not JSON`,
    );
  }
  const declared =
    typeof json === "object" && json !== null && "mediaType" in json && typeof json.mediaType === "string"
      ? json.mediaType
      : (contentType ?? "").split(";")[0]?.trim() || "";
  const isIndex =
    INDEX_TYPES.has(declared) ||
    (!MANIFEST_TYPES.has(declared) && typeof json === "object" && json !== null && "manifests" in json);
  const result = (isIndex ? ImageIndex : ImageManifest).safeParse(json);
  if (!result.success) {
    const reason = result.error.issues[0];
    throw new SigilError(
      "ERR_IMAGE_UNAVAILABLE",
      `${where}: unreadable ${isIndex ? "image index" : "image manifest"} (${reason?.path.join(".") || "(root)"}: ${reason?.message ?? "invalid"})`,
    );
  }
  const parsed: ParsedManifest = isIndex
    ? { kind: "index", index: ImageIndex.parse(json) }
    : { kind: "manifest", manifest: ImageManifest.parse(json) };
  return { mediaType: declared, parsed };
}
