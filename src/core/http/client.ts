import { setTimeout as delay } from "node:timers/promises";
import { type Clock, systemClock } from "../clock.js";
import { SigilError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import { createRedactor } from "../redact.js";
import {
  type AttemptOutcome,
  methodMayRetry,
  type RetryPolicy,
  resolveRetryPolicy,
  retryDelayMs,
} from "./retry-policy.js";

/** The one way out to the network: global `fetch` by default, a test's own function otherwise. */
export type FetchPort = (input: string | URL, init?: RequestInit) => Promise<Response>;
/** Waits `ms`; rejects when `signal` aborts. Tests pass one that records and returns at once. */
export type SleepPort = (ms: number, signal?: AbortSignal) => Promise<unknown>;

export const realSleep: SleepPort = (ms, signal) => delay(ms, undefined, { signal });

export interface HttpClientOptions {
  fetch?: FetchPort;
  clock?: Clock;
  sleep?: SleepPort;
  /** Uniform in [0, 1): the jitter source. */
  random?: () => number;
  /** Per attempt: from sending the request until the response headers arrive. */
  timeoutMs: number;
  /** Overall, retries and waits included; defaults to the policy's own worst case. */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

export interface HttpRequestInit extends RequestInit {
  timeoutMs?: number;
  deadlineMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface HttpClient {
  /**
   * Sends `init` to `url` under the retry policy. Resolves with the first response whose status
   * the policy does not retry (4xx included: the caller reads it); throws ERR_HTTP when a
   * retryable status or a network failure is final, ERR_HTTP_TIMEOUT when an attempt or the
   * deadline ran out. An abort of the caller's own signal rejects with that signal's reason.
   */
  request(url: string | URL, init?: HttpRequestInit): Promise<Response>;
}

/** An attempt that got no response headers within its time. */
class AttemptTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = "AttemptTimeout";
  }
}

/** Scheme, host and path only: URL credentials and query strings (signatures, tokens) stay out of logs. */
export function urlForLog(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "<invalid url>";
  }
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const fetchPort: FetchPort = options.fetch ?? ((input, init) => fetch(input, init));
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const redact = createRedactor();

  return {
    async request(url, init = {}) {
      const { timeoutMs = options.timeoutMs, deadlineMs, retry, signal, ...fetchInit } = init;
      const method = (fetchInit.method ?? "GET").toUpperCase();
      const policy = resolveRetryPolicy(options.retry, retry);
      // A stream body is consumed by the first attempt; it cannot be sent again.
      const mayRetry = methodMayRetry(method, policy) && !(fetchInit.body instanceof ReadableStream);
      const budget =
        deadlineMs ??
        options.deadlineMs ??
        policy.maxAttempts * timeoutMs + (policy.maxAttempts - 1) * policy.maxDelayMs;
      const target = { method, url: urlForLog(url) };
      const started = clock.monotonicMs();

      for (let attempt = 1; ; attempt++) {
        const left = budget - (clock.monotonicMs() - started);
        const attemptMs = Math.max(1, Math.min(timeoutMs, left));
        const outcome = await attemptOnce(fetchPort, url, { ...fetchInit, method }, attemptMs, signal);
        const final = finalOutcome(outcome, policy);
        if (final === "return" && outcome instanceof Response) return outcome;

        const wait = mayRetry ? retryDelayMs(attempt, outcome, policy, random, clock.nowMs()) : null;
        const elapsed = clock.monotonicMs() - started;
        if (wait === null || elapsed + wait >= budget) {
          await discard(outcome);
          throw failure(outcome, target, attempt, redact);
        }
        logger.warn(
          {
            event: "http.retry",
            ...target,
            attempt,
            max_attempts: policy.maxAttempts,
            delay_ms: wait,
            ...cause(outcome),
          },
          "retrying HTTP request",
        );
        await discard(outcome);
        try {
          await sleep(wait, signal ?? undefined);
        } catch (error) {
          throw signal?.aborted ? signal.reason : error;
        }
      }
    },
  };
}

function finalOutcome(outcome: AttemptOutcome, policy: RetryPolicy): "return" | "failed" {
  if (outcome instanceof Error) return "failed";
  return policy.retryStatuses.includes(outcome.status) ? "failed" : "return";
}

async function attemptOnce(
  fetchPort: FetchPort,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
  callerSignal: AbortSignal | null | undefined,
): Promise<AttemptOutcome> {
  callerSignal?.throwIfAborted();
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(new AttemptTimeout(timeoutMs)), timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal;
  try {
    return await fetchPort(url, { ...init, signal });
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (timer.signal.aborted) return new AttemptTimeout(timeoutMs);
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(handle);
  }
}

/** A response not handed to the caller is drained so its connection can be reused. */
async function discard(outcome: AttemptOutcome): Promise<void> {
  if (outcome instanceof Response) await outcome.body?.cancel().catch(() => undefined);
}

function cause(outcome: AttemptOutcome): Record<string, unknown> {
  if (outcome instanceof Response) return { status: outcome.status };
  return { error: describe(outcome) };
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND …) is in its cause. */
function describe(error: Error): string {
  const inner: unknown = error.cause;
  if (inner instanceof Error) {
    const code = "code" in inner ? inner.code : undefined;
    return `${error.message} (${typeof code === "string" ? code : inner.message})`;
  }
  return error.message;
}

function failure(
  outcome: AttemptOutcome,
  target: { method: string; url: string },
  attempts: number,
  redact: (text: string) => string,
): SigilError {
  const where = `${target.method} ${target.url}`;
  const tries = `after ${attempts} attempt${attempts === 1 ? "" : "s"}`;
  if (outcome instanceof AttemptTimeout) {
    return new SigilError(
      "ERR_HTTP_TIMEOUT",
      `${where}: no response within ${outcome.timeoutMs} ms, ${tries}`,
      {
        ...target,
        attempts,
        timeout_ms: outcome.timeoutMs,
      },
    );
  }
  if (outcome instanceof Error) {
    const reason = redact(describe(outcome)).slice(0, 500);
    return new SigilError("ERR_HTTP", `${where}: ${reason}, ${tries}`, { ...target, attempts });
  }
  return new SigilError("ERR_HTTP", `${where} answered ${outcome.status} ${tries}`, {
    ...target,
    attempts,
    status: outcome.status,
  });
}
