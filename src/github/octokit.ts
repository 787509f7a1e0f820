import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { z } from "zod";
import { type FetchPort, type Logger, parseWith, SigilError, silentLogger } from "../core/index.js";

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
/** Rate-limit retries per request before the error reaches the caller. */
export const DEFAULT_RATE_LIMIT_RETRIES = 2;

/** The one Octokit class of the toolkit: REST methods, pagination, request log, throttling, retry. */
export const SigilOctokit = Octokit.plugin(throttling, retry);
export type SigilOctokit = InstanceType<typeof SigilOctokit>;

export interface CreateOctokitOptions {
  /** A token (installation, PAT or GITHUB_TOKEN); anonymous when absent. */
  auth?: string;
  /** REST root; `githubBaseUrlFromEnv` derives it for GitHub Enterprise. */
  baseUrl?: string;
  /** Tests pass their own; nothing global is patched. */
  fetch?: FetchPort;
  logger?: Logger;
  userAgent?: string;
  throttle?: { enabled?: boolean; maxRetries?: number };
  retry?: { enabled?: boolean; retries?: number };
  /**
   * Milliseconds per second of a wait GitHub advises (Retry-After) or plugin-retry's backoff
   * computes: 1000 in production; tests pass 0 so nothing waits for real.
   */
  retryAfterBaseValue?: number;
}

/**
 * Builds the one Octokit: every GitHub call goes through this factory and is passed down as a
 * port (docs/network.md). Primary and secondary rate limits are retried up to `maxRetries`
 * times, each logged; 5xx and network failures are retried by plugin-retry.
 */
export function createOctokit(options: CreateOctokitOptions = {}): SigilOctokit {
  const logger = (options.logger ?? silentLogger).child({ component: "octokit" });
  const maxRetries = options.throttle?.maxRetries ?? DEFAULT_RATE_LIMIT_RETRIES;
  const baseValue = options.retryAfterBaseValue ?? 1000;

  const onLimit =
    (kind: "primary" | "secondary") =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const willRetry = retryCount < maxRetries;
      logger.warn(
        {
          event: "github.rate_limit",
          kind,
          method: request.method,
          route: request.url,
          retry_after_s: retryAfter,
          retry_count: retryCount,
          will_retry: willRetry,
        },
        willRetry ? "GitHub rate limit: retrying" : "GitHub rate limit: giving up",
      );
      return willRetry;
    };

  return new SigilOctokit({
    ...(options.auth ? { auth: options.auth } : {}),
    baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ""),
    userAgent: options.userAgent ?? "sigil-zero",
    log: octokitLog(logger),
    request: options.fetch ? { fetch: options.fetch } : {},
    throttle: {
      enabled: options.throttle?.enabled ?? true,
      retryAfterBaseValue: baseValue,
      onRateLimit: onLimit("primary"),
      onSecondaryRateLimit: onLimit("secondary"),
    },
    retry: {
      enabled: options.retry?.enabled ?? true,
      ...(options.retry?.retries === undefined ? {} : { retries: options.retry.retries }),
      retryAfterBaseValue: baseValue,
    },
  });
}

/**
 * Octokit's log interface over pino. Only the message string is kept: the request-log plugin
 * passes whole request options (headers included) as a second argument, which never reaches a line.
 */
function octokitLog(logger: Logger) {
  const line = (level: "debug" | "info" | "warn" | "error") => (message: unknown) =>
    logger[level]({ event: "github.log" }, String(message));
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

const GitHubEnv = z.object({
  GHE_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "a host name (and port), without scheme or path")
    .optional()
    .or(z.literal("")),
  GHE_PROTOCOL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(["http", "https"]))
    .optional()
    .or(z.literal("")),
});

/**
 * The REST root from the environment: `GHE_HOST` (with `GHE_PROTOCOL`, https by default) names a
 * GitHub Enterprise Server, whose API lives under `/api/v3`; otherwise api.github.com.
 */
export function githubBaseUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const parsed = parseWith(
    GitHubEnv,
    { GHE_HOST: env.GHE_HOST, GHE_PROTOCOL: env.GHE_PROTOCOL },
    "ERR_USAGE",
    "GitHub Enterprise environment",
  );
  if (!parsed.GHE_HOST) return DEFAULT_GITHUB_API_URL;
  return `${parsed.GHE_PROTOCOL || "https"}://${parsed.GHE_HOST}/api/v3`;
}

/**
 * The REST root for the CLI: `GITHUB_API_URL` (what a GitHub Actions runner sets, github.com's or
 * an Enterprise Server's), else `githubBaseUrlFromEnv`. The App keeps Probot's `GHE_HOST` alone.
 */
export function githubApiUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const explicit = env.GITHUB_API_URL?.trim();
  if (!explicit) return githubBaseUrlFromEnv(env);
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(explicit))
    throw new SigilError("ERR_USAGE", "GITHUB_API_URL: expected an http(s) URL");
  return explicit.replace(/\/+$/, "");
}
