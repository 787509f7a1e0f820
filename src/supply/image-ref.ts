import type { RegistryEntry } from "../core/index.js";
import { SigilError } from "../core/index.js";
import { type Lane, requiresPinnedImages } from "./lane.js";

export interface ImageRef {
  host: string;
  /** Repository path under the host, e.g. `acme/app/llm-litellm`. */
  repository: string;
  digest?: string;
  tag?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const IMAGE =
  /^([a-z0-9.-]+(?::[0-9]+)?)\/([a-z0-9._/-]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]+))?$/;

export function parseImageRef(image: string): ImageRef {
  const match = IMAGE.exec(image);
  if (!match)
    throw new SigilError("ERR_REGISTRY_ENTRY", `cannot parse image reference ${JSON.stringify(image)}`);
  const [, host = "", repository = "", tag, digest] = match;
  if (digest !== undefined && !DIGEST.test(digest)) {
    throw new SigilError("ERR_REGISTRY_ENTRY", `digest of ${image} must be sha256:<64 hex>`);
  }
  return { host, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function isPinned(image: string): boolean {
  return parseImageRef(image).digest !== undefined;
}

/** `owner/repo` of the repository whose ghcr.io namespace images must live in. */
export type RepoScope = string;

/**
 * docs/contracts/registry.md: images live under `ghcr.io/<owner>/<repo>/…` and are digest-pinned in staging/main.
 * `scope` undefined means the caller could not tell the repository: staging and main refuse that
 * (any image would pass), dev and pr go on and report it through `onUnknownScope`, never silently.
 */
export function assertImagePolicy(
  entry: RegistryEntry,
  lane: Lane,
  scope: RepoScope | undefined,
  onUnknownScope?: (detail: string) => void,
): ImageRef {
  const image = parseImageRef(entry.image);
  if (scope === undefined) {
    const detail = `${entry.ref}: the repository is unknown, so ${entry.image} cannot be checked against ghcr.io/<owner>/<repo>/; pass --repo <owner/name> or set GITHUB_REPOSITORY`;
    if (requiresPinnedImages(lane))
      throw new SigilError("ERR_REGISTRY_MISMATCH", detail, { ref: entry.ref, image: entry.image, lane });
    onUnknownScope?.(detail);
  } else {
    const prefix = `${scope.toLowerCase()}/`;
    if (image.host !== "ghcr.io" || !image.repository.startsWith(prefix)) {
      throw new SigilError(
        "ERR_REGISTRY_MISMATCH",
        `${entry.ref}: image ${entry.image} is outside ghcr.io/${scope.toLowerCase()}/`,
        { ref: entry.ref, image: entry.image, scope },
      );
    }
  }
  if (image.digest === undefined && requiresPinnedImages(lane)) {
    throw new SigilError(
      "ERR_IMAGE_UNPINNED",
      `${entry.ref}: ${entry.image} is a tag; the ${lane} lane needs an @sha256 digest (merge the pin PR first)`,
      { ref: entry.ref, image: entry.image, lane },
    );
  }
  return image;
}
