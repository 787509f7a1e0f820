import { type Clock, type HttpClient, SigilError, sha256Hex } from "../../core/index.js";
import { anonymous, basicAuthorization, type CredentialsPort, parseChallenge, TokenCache } from "./auth.js";
import { type ParsedManifest, parseManifest } from "./manifest.js";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from "./media-types.js";
import { formatReference, manifestReference, type OciReference } from "./reference.js";

/** A manifest or index as the registry served it, its bytes verified against its digest. */
export interface FetchedManifest {
  reference: OciReference;
  /** sha256 of the bytes served: equal to the digest asked for, and to Docker-Content-Digest. */
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  parsed: ParsedManifest;
}

export interface RegistryClient {
  /** GET /v2/<repo>/manifests/<tag|digest>; always /manifests/, never /blobs/ (GHCR 404s those). */
  getManifest(ref: OciReference, signal?: AbortSignal): Promise<FetchedManifest>;
}

export interface RegistryClientOptions {
  http: HttpClient;
  credentials?: CredentialsPort;
  clock?: Clock;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const credentials = options.credentials ?? anonymous;
  const tokens = new TokenCache(options.http, credentials, options.clock);

  /** Sends a GET with whatever authorization is already known, answering one challenge if needed. */
  async function authorizedGet(
    ref: OciReference,
    url: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ) {
    const scope = `repository:${ref.repository}:pull`;
    const send = (authorization?: string) =>
      options.http.request(url, {
        headers: authorization ? { ...headers, authorization } : headers,
        ...(signal ? { signal } : {}),
      });
    const known = tokens.knownChallenge(ref.registry);
    const early =
      tokens.cached(ref.registry, scope) ??
      (known ? await tokens.token(ref.registry, known, scope) : undefined);
    let response = await send(early ? `Bearer ${early}` : undefined);
    if (response.status !== 401) return response;

    const challenge = parseChallenge(response.headers.get("www-authenticate"));
    await response.body?.cancel().catch(() => undefined);
    if (!challenge || early) return deniedOrRefused(ref, response.status, challenge === undefined);
    if (challenge.scheme === "basic") {
      const creds = credentials(ref.registry);
      if (!creds) return deniedOrRefused(ref, 401, false);
      response = await send(basicAuthorization(creds));
    } else {
      response = await send(`Bearer ${await tokens.token(ref.registry, challenge, scope)}`);
    }
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      return deniedOrRefused(ref, 401, false);
    }
    return response;
  }

  function deniedOrRefused(ref: OciReference, status: number, noChallenge: boolean): never {
    const has = credentials(ref.registry) !== undefined;
    const image = formatReference(ref);
    const hint = noChallenge
      ? `${ref.registry} answered ${status} without a WWW-Authenticate challenge (GHCR does this for private images)`
      : `${ref.registry} answered ${status}`;
    throw new SigilError(
      "ERR_REGISTRY_AUTH",
      `${image}: ${hint}; ${has ? "the credentials given were refused" : "no credentials were given (set SIGIL_REGISTRY_USERNAME and SIGIL_REGISTRY_PASSWORD, or GITHUB_TOKEN for ghcr.io)"}`,
      { registry: ref.registry, status },
    );
  }

  return {
    async getManifest(ref, signal) {
      const url = `${ref.scheme}://${ref.registry}/v2/${ref.repository}/manifests/${manifestReference(ref)}`;
      const image = formatReference(ref);
      const response = await authorizedGet(ref, url, { accept: MANIFEST_ACCEPT }, signal);
      if (response.status === 403) {
        await response.body?.cancel().catch(() => undefined);
        deniedOrRefused(ref, 403, !response.headers.has("www-authenticate"));
      }
      if (response.status === 404) {
        const why = await registryErrorText(response);
        throw new SigilError("ERR_IMAGE_UNAVAILABLE", `${image}: no such image or tag (${why})`, {
          image,
          status: 404,
        });
      }
      if (!response.ok) {
        const why = await registryErrorText(response);
        throw new SigilError(
          "ERR_IMAGE_UNAVAILABLE",
          `${image}: the registry answered ${response.status} (${why})`,
          {
            image,
            status: response.status,
          },
        );
      }
      const bytes = await readBounded(response, image);
      const digest = `sha256:${sha256Hex(bytes)}`;
      const served = response.headers.get("docker-content-digest")?.trim();
      if (ref.digest !== undefined && digest !== ref.digest)
        throw mismatch(image, `asked for ${ref.digest}, the bytes served hash to ${digest}`);
      if (served?.startsWith("sha256:") && served !== digest)
        throw mismatch(image, `Docker-Content-Digest says ${served}, the bytes served hash to ${digest}`);
      const { mediaType, parsed } = parseManifest(bytes, response.headers.get("content-type"), image);
      return { reference: ref, digest, mediaType, bytes, parsed };
    },
  };
}

function mismatch(image: string, why: string): SigilError {
  return new SigilError("ERR_IMAGE_DIGEST_MISMATCH", `${image}: ${why}; refusing it`, { image });
}

/** The first error of a distribution error body (`{"errors":[{code,message}]}`), bounded. */
async function registryErrorText(response: Response): Promise<string> {
  const text = (await response.text().catch(() => "")).slice(0, 2000);
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && "errors" in body && Array.isArray(body.errors)) {
      const first: unknown = body.errors[0];
      if (typeof first === "object" && first !== null && "code" in first)
        return `${String(first.code)}${"message" in first ? `: ${String(first.message).slice(0, 200)}` : ""}`;
    }
  } catch {}
  return `HTTP ${response.status}`;
}

async function readBounded(response: Response, image: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  const tooBig = () =>
    new SigilError("ERR_IMAGE_UNAVAILABLE", `${image}: manifest larger than ${MAX_MANIFEST_BYTES} bytes`);
  if (declared > MAX_MANIFEST_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_MANIFEST_BYTES) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
