import type { Octokit } from "@octokit/rest";
import type { Context } from "probot";
import {
  type Clock,
  type Logger,
  parseWith,
  parseYamlStrict,
  SIGIL_CONFIG_PATH,
  SigilConfig,
  SigilError,
} from "../core/index.js";
import type { EnqueueWrite } from "../github/write-queue.js";
import type { HandlerContext } from "./handler-context.js";

export interface ContextDeps {
  clock: Clock;
  /** The installation's serial write queue. */
  queueFor: (installationId: number | undefined) => EnqueueWrite;
}

function installationIdOf(payload: unknown): number | undefined {
  const id = (payload as { installation?: { id?: unknown } } | null)?.installation?.id;
  return typeof id === "number" ? id : undefined;
}

/**
 * Builds the HandlerContext of one delivery. The one place Probot's context is adapted: its
 * `octokit` becomes the Octokit port, its config helper becomes `loadConfig` (validated with the
 * SigilConfig schema; read once per delivery).
 */
export function handlerContextFrom(context: Context, logger: Logger, deps: ContextDeps): HandlerContext {
  const payload: unknown = context.payload;
  const event =
    "action" in context.payload ? `${context.name}.${String(context.payload.action)}` : context.name;
  let config: Promise<SigilConfig> | undefined;
  return {
    // Probot's installation Octokit carries the REST methods of @octokit/rest under `.rest`.
    octokit: context.octokit as unknown as Octokit,
    event,
    payload,
    deliveryId: context.id,
    logger,
    clock: deps.clock,
    enqueueWrite: deps.queueFor(installationIdOf(payload)),
    loadConfig: () => {
      config ??= loadRepoConfig(context, logger);
      return config;
    },
  };
}

async function loadRepoConfig(context: Context, logger: Logger): Promise<SigilConfig> {
  const file = SIGIL_CONFIG_PATH.replace(/^\.github\//, "");
  let raw: unknown;
  // Probot's helper parses leniently (warnings dropped, its own vague message): every copy of the
  // file it fetches (the repository's, the owner's .github, an `_extends` base) passes our strict
  // reader first, so the App refuses what the CLI refuses, with the CLI's message.
  const hook = context.octokit.hook;
  const strict = strictConfigRead(context.repo());
  hook.after("request", strict);
  try {
    raw = await context.config(file);
  } catch (error) {
    if (error instanceof SigilError) throw configError(error, logger);
    // The config plugin throws on unparsable YAML: that is the repository's mistake, not a crash.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    throw configError(
      new SigilError("ERR_CONFIG", `${SIGIL_CONFIG_PATH}: ${(error as Error).message}`),
      logger,
    );
  } finally {
    hook.remove("request", strict);
  }
  try {
    return parseWith(SigilConfig, raw ?? {}, "ERR_CONFIG", SIGIL_CONFIG_PATH);
  } catch (error) {
    throw configError(SigilError.from(error, "ERR_CONFIG"), logger);
  }
}

/** The config helper's raw reads of `.github/sigil.yml` (in any repository), through parseYamlStrict. */
function strictConfigRead(delivery: { owner: string; repo: string }) {
  return (response: { data: unknown }, options: Record<string, unknown>): void => {
    const raw = (options.mediaType as { format?: unknown } | undefined)?.format === "raw";
    if (!raw || options.url !== "/repos/{owner}/{repo}/contents/{path}") return;
    if (options.path !== SIGIL_CONFIG_PATH || typeof response.data !== "string") return;
    const own = options.owner === delivery.owner && options.repo === delivery.repo;
    const where = own
      ? SIGIL_CONFIG_PATH
      : `${String(options.owner)}/${String(options.repo)}:${SIGIL_CONFIG_PATH}`;
    parseYamlStrict(response.data, "ERR_CONFIG", where);
  };
}

function configError(error: SigilError, logger: Logger): SigilError {
  logger.warn({ event: "app.config.invalid", code: error.code, path: SIGIL_CONFIG_PATH }, error.message);
  return error;
}
