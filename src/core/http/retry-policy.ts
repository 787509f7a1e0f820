/**
 * The one retry policy for HTTP (docs/network.md): which outcomes are retried, and how long to
 * wait before the next attempt. Pure: time and randomness come in as arguments.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff ceiling for attempt 1; doubles per attempt, capped at `maxDelayMs`. */
  baseDelayMs: number;
  /** No wait is longer than this, whatever the server's Retry-After says. */
  maxDelayMs: number;
  /** Statuses worth another attempt: rate limiting and transient server failures. */
  retryStatuses: readonly number[];
  /** POST and PATCH may have taken effect before failing; the caller opts in when they are safe. */
  retryNonIdempotent: boolean;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  retryStatuses: Object.freeze([429, 500, 502, 503, 504]),
  retryNonIdempotent: false,
});

/** What an attempt ended with: a response (any status), or the error fetch threw. */
export type AttemptOutcome = Response | Error;

const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

export function resolveRetryPolicy(...layers: (Partial<RetryPolicy> | undefined)[]): RetryPolicy {
  const merged: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) Object.assign(merged, { [key]: value });
    }
  }
  return merged;
}

/** Whether requests of this method may be sent again at all under `policy`. */
export function methodMayRetry(method: string, policy: RetryPolicy): boolean {
  return policy.retryNonIdempotent || IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * Milliseconds until a Retry-After value (delta-seconds or HTTP-date) comes due, never negative;
 * undefined when the header is absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a weekday; a bare number of other shape is not a date here.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Capped exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt−1))). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * Math.max(ceiling, 0));
}

/**
 * The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) ended in `outcome`;
 * null when the outcome is final (a status not in the policy, or no attempts left). Errors are
 * network failures or an attempt's own timeout. The method is checked by `methodMayRetry`.
 */
export function retryDelayMs(
  attempt: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: () => number,
  nowMs: number,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  if (outcome instanceof Error) return backoffMs(attempt, policy, random);
  if (!policy.retryStatuses.includes(outcome.status)) return null;
  const advised = parseRetryAfterMs(outcome.headers.get("retry-after"), nowMs);
  const cap = Math.max(policy.maxDelayMs, 0);
  return advised === undefined ? backoffMs(attempt, policy, random) : Math.min(advised, cap);
}
