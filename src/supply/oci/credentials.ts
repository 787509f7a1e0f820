import type { CredentialsPort, RegistryCredentials } from "./auth.js";

/**
 * Registry credentials from the environment (docs/supply-chain.md): SIGIL_REGISTRY_USERNAME and
 * SIGIL_REGISTRY_PASSWORD for any registry (optionally limited by SIGIL_REGISTRY_HOST), and on
 * ghcr.io the workflow's GITHUB_TOKEN as a fallback. Nothing is read from disk.
 */
export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): CredentialsPort {
  const username = env.SIGIL_REGISTRY_USERNAME;
  const password = env.SIGIL_REGISTRY_PASSWORD;
  const onlyHost = env.SIGIL_REGISTRY_HOST;
  const explicit: RegistryCredentials | undefined = username && password ? { username, password } : undefined;
  return (registry) => {
    if (explicit && (!onlyHost || onlyHost === registry)) return explicit;
    if (registry === "ghcr.io" && env.GITHUB_TOKEN)
      return { username: env.GITHUB_ACTOR || "x-access-token", password: env.GITHUB_TOKEN };
    return undefined;
  };
}
