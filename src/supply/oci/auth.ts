import { z } from "zod";
import { type Clock, type HttpClient, SigilError, systemClock } from "../../core/index.js";

/** A user name and a password or token, for the registry's token endpoint (or Basic auth). */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** Credentials for a registry host (`host[:port]`), or undefined for anonymous access. */
export type CredentialsPort = (registry: string) => RegistryCredentials | undefined;

export const anonymous: CredentialsPort = () => undefined;

export interface Challenge {
  scheme: "bearer" | "basic";
  realm?: string;
  service?: string;
  scope?: string;
}

/** Parses the first Bearer or Basic challenge of a WWW-Authenticate header; undefined if none. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(Bearer|Basic)\b(.*)$/i.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? "").toLowerCase() === "bearer" ? "bearer" : "basic";
  const params: Record<string, string> = {};
  for (const p of (match[2] ?? "").matchAll(/([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    const key = (p[1] ?? "").toLowerCase();
    params[key] = (p[2] ?? p[3] ?? "").replace(/\\(.)/g, "$1");
  }
  return {
    scheme,
    ...(params.realm ? { realm: params.realm } : {}),
    ...(params.service ? { service: params.service } : {}),
    ...(params.scope ? { scope: params.scope } : {}),
  };
}

const TokenResponse = z.looseObject({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
});

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/**
 * The bearer-token half of the distribution auth flow: asks the challenge's realm for a token
 * with the repository's pull scope and caches it per registry and scope until shortly before it
 * expires, so asserting many images costs one token request per repository.
 */
export class TokenCache {
  private readonly tokens = new Map<string, { value: string; expiresAtMs: number }>();
  /** The last Bearer challenge seen per registry: later repositories skip the 401 round trip. */
  private readonly realms = new Map<string, Challenge>();

  constructor(
    private readonly http: HttpClient,
    private readonly credentials: CredentialsPort,
    private readonly clock: Clock = systemClock,
  ) {}

  knownChallenge(registry: string): Challenge | undefined {
    return this.realms.get(registry);
  }

  cached(registry: string, scope: string): string | undefined {
    const hit = this.tokens.get(`${registry}|${scope}`);
    return hit && hit.expiresAtMs > this.clock.nowMs() ? hit.value : undefined;
  }

  async token(registry: string, challenge: Challenge, scope: string): Promise<string> {
    const hit = this.cached(registry, scope);
    if (hit) return hit;
    if (!challenge.realm)
      throw new SigilError("ERR_REGISTRY_AUTH", `${registry} sent a Bearer challenge without a realm`);
    this.realms.set(registry, challenge);
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set("service", challenge.service);
    url.searchParams.set("scope", scope);
    const creds = this.credentials(registry);
    const response = await this.http.request(url, {
      headers: creds ? { authorization: basicAuthorization(creds) } : {},
    });
    const text = await response.text();
    if (!response.ok) {
      const who = creds
        ? `credentials for ${registry} were refused`
        : `anonymous access to ${registry} was refused`;
      throw new SigilError("ERR_REGISTRY_AUTH", `${who} (token endpoint answered ${response.status})`, {
        registry,
        status: response.status,
      });
    }
    let parsed: z.infer<typeof TokenResponse>;
    try {
      parsed = TokenResponse.parse(JSON.parse(text));
    } catch {
      throw new SigilError(
        "ERR_REGISTRY_AUTH",
        `token endpoint of ${registry} answered something that is not a token`,
      );
    }
    const value = parsed.token ?? parsed.access_token;
    if (!value) throw new SigilError("ERR_REGISTRY_AUTH", `token endpoint of ${registry} answered no token`);
    // Tokens default to 60 s (distribution's token spec); renew 10 s early.
    const lifetimeS = Math.max((parsed.expires_in ?? 60) - 10, 1);
    this.tokens.set(`${registry}|${scope}`, { value, expiresAtMs: this.clock.nowMs() + lifetimeS * 1000 });
    return value;
  }
}
