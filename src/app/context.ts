import type { Octokit } from "@octokit/rest";
import type { Context } from "probot";
import {
  type Clock,
  type Logger,
  parseWith,
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
  try {
    raw = await context.config(file);
  } catch (error) {
    // The config plugin throws on unparsable YAML: that is the repository's mistake, not a crash.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    throw configError(
      new SigilError("ERR_CONFIG", `${SIGIL_CONFIG_PATH}: ${(error as Error).message}`),
      logger,
    );
  }
  try {
    return parseWith(SigilConfig, raw ?? {}, "ERR_CONFIG", SIGIL_CONFIG_PATH);
  } catch (error) {
    throw configError(SigilError.from(error, "ERR_CONFIG"), logger);
  }
}

function configError(error: SigilError, logger: Logger): SigilError {
  logger.warn({ event: "app.config.invalid", code: error.code, path: SIGIL_CONFIG_PATH }, error.message);
  return error;
}
