import { z } from "zod";
import { createHttpClient, type Logger } from "../core/index.js";
import { createRegistryClient, credentialsFromEnv, type RegistryClient } from "../supply/index.js";
import { textInput } from "./inputs.js";

/** Items of a list input: one per line, or separated by commas or spaces. */
const listItems = (value: string) => value.split(/[\s,]+/).filter((item) => item !== "");

/** `ghcr.io=127.0.0.1:5000` pairs, as `sigil registry check --mirror` takes them, as a host map. */
export function mirrorInput() {
  return textInput("")
    .transform(listItems)
    .pipe(z.array(z.string().regex(/^[^=\s]+=[^=\s]+$/, "each mirror is <registry>=<mirror>")))
    .transform(
      (pairs) =>
        new Map(
          pairs.map((pair) => {
            const [from = "", to = ""] = pair.split("=");
            return [from, to] as const;
          }),
        ),
    );
}

/** A list of platforms (`linux/amd64`); empty keeps each registry entry's own list. */
export function platformsInput() {
  return textInput("")
    .transform(listItems)
    .pipe(z.array(z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, "a platform like linux/arm64")));
}

/** Processor refs to act on; `all` (the default) or empty means every registry entry. */
export function refsInput() {
  return textInput("all")
    .transform(listItems)
    .transform((refs) => (refs.length === 1 && refs[0] === "all" ? [] : refs));
}

/**
 * The registry client of the actions, as the CLI builds it: the one HTTP client, credentials
 * from SIGIL_REGISTRY_USERNAME/PASSWORD or GITHUB_TOKEN (docs/supply-chain.md). The values
 * never reach a log: the action boundary redacts every secret-named variable.
 */
export function registryClientFromEnv(env: NodeJS.ProcessEnv, logger: Logger): RegistryClient {
  return createRegistryClient({
    http: createHttpClient({ timeoutMs: 30_000, logger }),
    credentials: credentialsFromEnv(env),
  });
}
