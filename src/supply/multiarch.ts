import { SigilError } from "../core/index.js";
import {
  ATTESTATION_MANIFEST,
  type Descriptor,
  type FetchedManifest,
  formatReference,
  parseOciReference,
  REFERENCE_TYPE_ANNOTATION,
  type RegistryClient,
} from "./oci/index.js";

export const DEFAULT_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

export interface PlatformRow {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface AttestationRow {
  digest: string;
  /** The platform manifest this attestation describes, when the annotation says. */
  describes?: string;
}

/** What `sigil image inspect` prints: the image's kind, digest and platform table. */
export interface ImageInspection {
  image: string;
  digest: string;
  mediaType: string;
  kind: "index" | "manifest";
  platforms: PlatformRow[];
  attestations: AttestationRow[];
}

export function platformName(p: { os: string; architecture: string; variant?: string | undefined }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** BuildKit's provenance/SBOM manifests: never a platform, whatever they claim. */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.[REFERENCE_TYPE_ANNOTATION] === ATTESTATION_MANIFEST) return true;
  return d.platform?.os === "unknown" && d.platform.architecture === "unknown";
}

export function inspectManifest(fetched: FetchedManifest): ImageInspection {
  const base = {
    image: formatReference(fetched.reference),
    digest: fetched.digest,
    mediaType: fetched.mediaType,
  };
  if (fetched.parsed.kind === "manifest")
    return { ...base, kind: "manifest", platforms: [], attestations: [] };
  const platforms: PlatformRow[] = [];
  const attestations: AttestationRow[] = [];
  for (const d of fetched.parsed.index.manifests) {
    if (isAttestation(d)) {
      const describes = d.annotations?.["vnd.docker.reference.digest"];
      attestations.push({ digest: d.digest, ...(describes ? { describes } : {}) });
    } else if (d.platform) {
      platforms.push({
        platform: platformName(d.platform),
        digest: d.digest,
        mediaType: d.mediaType,
        size: d.size,
      });
    }
  }
  return { ...base, kind: "index", platforms, attestations };
}

/** The result of a passing multi-arch assertion: the index digest and each platform's digest. */
export interface MultiArchResult {
  image: string;
  digest: string;
  platforms: string[];
  platform_digests: Record<string, string>;
}

/**
 * An image must be an index holding every required platform (docs/supply-chain.md); a
 * single-platform manifest fails even when its one platform is the only one required, because
 * the pin would then not survive a second architecture.
 */
export function assertMultiArch(inspection: ImageInspection, required: readonly string[]): MultiArchResult {
  if (inspection.kind !== "index") {
    throw new SigilError(
      "ERR_IMAGE_PLATFORMS",
      `${inspection.image} is a single-platform manifest (${inspection.mediaType}), not an image index; required: ${required.join(", ")}`,
      { image: inspection.image, missing: [...required] },
    );
  }
  const present = new Map(inspection.platforms.map((row) => [row.platform, row.digest]));
  const missing = required.filter((p) => !present.has(p));
  if (missing.length > 0) {
    throw new SigilError(
      "ERR_IMAGE_PLATFORMS",
      `${inspection.image} (${inspection.digest}) is missing ${missing.join(", ")}; it has ${[...present.keys()].join(", ") || "no platforms"}`,
      { image: inspection.image, missing },
    );
  }
  const platform_digests: Record<string, string> = {};
  for (const p of [...required].sort()) platform_digests[p] = present.get(p) ?? "";
  return {
    image: inspection.image,
    digest: inspection.digest,
    platforms: [...required].sort(),
    platform_digests,
  };
}

/** Fetches `image` (tag or digest) and inspects it: one manifest request after the token. */
export async function inspectImage(client: RegistryClient, image: string, signal?: AbortSignal) {
  return inspectManifest(await client.getManifest(parseOciReference(image), signal));
}

/** Fetches `image` and asserts it is an index holding every platform in `required`. */
export async function assertImagePlatforms(
  client: RegistryClient,
  image: string,
  required: readonly string[] = DEFAULT_PLATFORMS,
  signal?: AbortSignal,
): Promise<MultiArchResult> {
  return assertMultiArch(await inspectImage(client, image, signal), required);
}
