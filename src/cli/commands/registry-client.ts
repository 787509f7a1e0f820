import { createHttpClient } from "../../core/index.js";
import { createRegistryClient, credentialsFromEnv, type RegistryClient } from "../../supply/index.js";
import type { CommandIo } from "../command.js";

/** The registry client every supply-chain command uses: the one HTTP client, env credentials. */
export function registryClientFor(io: CommandIo): RegistryClient {
  const logger = io.logger();
  return createRegistryClient({
    http: createHttpClient({ timeoutMs: 30_000, logger }),
    credentials: credentialsFromEnv(io.ctx.env),
  });
}

/** commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--mirror ghcr.io=127.0.0.1:5000` flags (already checked to hold one `=`) as a host map. */
export function parseMirrors(flags: readonly string[] | undefined): Map<string, string> {
  return new Map(
    (flags ?? []).map((m) => {
      const [from = "", to = ""] = m.split("=");
      return [from, to] as const;
    }),
  );
}
