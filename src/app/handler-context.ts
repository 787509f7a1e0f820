import type { Octokit } from "@octokit/rest";
import type { Clock, Logger, SigilConfig } from "../core/index.js";

/**
 * What every App handler receives (docs/app.md). Handlers are built by factories that take their
 * domain dependencies (`createPinCheckHandler({ registry })`), so this context carries only what
 * one webhook delivery brings: the installation's Octokit, the untrusted payload, and the
 * installation's serial write queue.
 */
export interface HandlerContext {
  /** Installation-authenticated Octokit: the port to GitHub (Probot's `context.octokit`). */
  readonly octokit: Octokit;
  /** `"pull_request.synchronize"`, `"workflow_run.completed"`, … */
  readonly event: string;
  /** The raw webhook payload: untrusted; a handler parses the fields it uses with zod. */
  readonly payload: unknown;
  readonly deliveryId: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * Every write of one installation goes through this one serial queue, which honours
   * `retry-after` / `x-ratelimit-reset` and retries secondary-rate-limit 403s.
   */
  readonly enqueueWrite: <T>(write: () => Promise<T>) => Promise<T>;
  /** `.github/sigil.yml` of the delivery's repository, read from its default branch, validated. */
  readonly loadConfig: () => Promise<SigilConfig>;
}

/** One webhook handler: extracts what it needs from the payload, calls a domain function. */
export type Handler = (context: HandlerContext) => Promise<void>;
