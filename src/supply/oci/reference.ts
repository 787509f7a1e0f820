import { SigilError } from "../../core/index.js";

/** A parsed `host[:port]/path[:tag][@sha256:…]`, with the scheme the registry is spoken to in. */
export interface OciReference {
  /** `host[:port]` as written (IPv6 in brackets). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** Loopback registries speak plain HTTP, as Docker and crane assume; all others HTTPS. */
  scheme: "http" | "https";
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REGISTRY = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::[0-9]{1,5})?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function refuse(image: string, why: string): never {
  throw new SigilError("ERR_USAGE", `image reference ${JSON.stringify(image)}: ${why}`);
}

/** Parses an image reference; a reference the registry could never serve is ERR_USAGE. */
export function parseOciReference(image: string): OciReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) refuse(image, "digest must be sha256:<64 lowercase hex>");
  }
  const slash = rest.indexOf("/");
  if (slash <= 0) refuse(image, "expected host[:port]/path");
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  if (!REGISTRY.test(registry)) refuse(image, `bad registry host ${JSON.stringify(registry)}`);
  let tag: string | undefined;
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) refuse(image, `bad tag ${JSON.stringify(tag)}`);
  }
  if (!path?.split("/").every((c) => COMPONENT.test(c)))
    refuse(image, "repository path must be lowercase components separated by /");
  if (tag === undefined && digest === undefined) refuse(image, "give a :tag or an @sha256 digest");
  return {
    registry,
    repository: path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    scheme: isLoopbackHost(registry) ? "http" : "https",
  };
}

/** `localhost`, 127.0.0.0/8 and `[::1]`, with or without a port. */
export function isLoopbackHost(registry: string): boolean {
  const host = registry.startsWith("[")
    ? registry.slice(1, registry.indexOf("]"))
    : registry.replace(/:[0-9]+$/, "");
  if (host.toLowerCase() === "localhost") return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const octets = host.split(".");
  return (
    octets.length === 4 &&
    octets[0] === "127" &&
    octets.every((o) => /^[0-9]{1,3}$/.test(o) && Number(o) <= 255)
  );
}

/** What to ask the registry's /manifests/ endpoint for: the digest when pinned, else the tag. */
export function manifestReference(ref: OciReference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

export function formatReference(
  ref: Pick<OciReference, "registry" | "repository" | "tag" | "digest">,
): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}
