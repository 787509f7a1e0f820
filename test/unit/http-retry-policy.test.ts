import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  methodMayRetry,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
  retryDelayMs,
} from "../../src/core/index.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 5_000 });
const half = () => 0.5;

function status(code: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: code, headers });
}

describe("the retry policy (docs/network.md)", () => {
  test("defaults: 4 attempts, 429 and 500/502/503/504, idempotent methods only", () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ maxAttempts: 4, retryNonIdempotent: false });
    expect([...DEFAULT_RETRY_POLICY.retryStatuses]).toEqual([429, 500, 502, 503, 504]);
  });

  test("Retry-After in seconds is honoured", () => {
    expect(retryDelayMs(1, status(429, { "retry-after": "2" }), policy, half, NOW)).toBe(2_000);
    expect(retryDelayMs(1, status(503, { "retry-after": "0" }), policy, half, NOW)).toBe(0);
  });

  test("Retry-After as an HTTP-date is honoured against the injected clock", () => {
    const at = new Date(NOW + 3_000).toUTCString();
    expect(retryDelayMs(1, status(503, { "retry-after": at }), policy, half, NOW)).toBe(3_000);
    const past = new Date(NOW - 60_000).toUTCString();
    expect(retryDelayMs(1, status(429, { "retry-after": past }), policy, half, NOW)).toBe(0);
  });

  test("Retry-After is capped at maxDelayMs", () => {
    expect(retryDelayMs(1, status(429, { "retry-after": "3600" }), policy, half, NOW)).toBe(5_000);
    const later = new Date(NOW + 86_400_000).toUTCString();
    expect(retryDelayMs(1, status(503, { "retry-after": later }), policy, half, NOW)).toBe(5_000);
  });

  test("an unreadable Retry-After falls back to backoff", () => {
    expect(parseRetryAfterMs("soon", NOW)).toBeUndefined();
    expect(parseRetryAfterMs("-5", NOW)).toBeUndefined();
    expect(parseRetryAfterMs("1.5", NOW)).toBeUndefined();
    expect(retryDelayMs(1, status(503, { "retry-after": "soon" }), policy, half, NOW)).toBe(50);
  });

  test("full jitter: uniform in [0, min(cap, base·2^(attempt−1)))", () => {
    expect(backoffMs(1, policy, () => 0)).toBe(0);
    expect(backoffMs(1, policy, () => 0.999)).toBe(99);
    expect(backoffMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffMs(30, policy, () => 0.999)).toBe(4_995);
    expect(retryDelayMs(2, new TypeError("fetch failed"), policy, () => 0.25, NOW)).toBe(50);
  });

  test("4xx other than 429 and statuses outside the list are final", () => {
    for (const code of [200, 201, 304, 400, 401, 403, 404, 409, 422, 501, 505]) {
      expect(retryDelayMs(1, status(code), policy, half, NOW)).toBeNull();
    }
  });

  test("nothing is retried once maxAttempts is reached", () => {
    const two = resolveRetryPolicy({ maxAttempts: 2 });
    expect(retryDelayMs(1, status(503), two, half, NOW)).not.toBeNull();
    expect(retryDelayMs(2, status(503), two, half, NOW)).toBeNull();
    expect(retryDelayMs(2, new Error("reset"), two, half, NOW)).toBeNull();
  });

  test("POST and PATCH are not retried unless the caller opts in", () => {
    for (const method of ["GET", "head", "PUT", "DELETE", "OPTIONS"])
      expect(methodMayRetry(method, policy)).toBe(true);
    for (const method of ["POST", "PATCH"]) expect(methodMayRetry(method, policy)).toBe(false);
    expect(methodMayRetry("POST", resolveRetryPolicy({ retryNonIdempotent: true }))).toBe(true);
  });

  test("resolveRetryPolicy layers overrides and ignores undefined values", () => {
    const merged = resolveRetryPolicy({ maxAttempts: 2 }, { maxAttempts: undefined, baseDelayMs: 7 });
    expect(merged).toMatchObject({
      maxAttempts: 2,
      baseDelayMs: 7,
      maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs,
    });
  });

  test("property: every delay lies within [0, maxDelayMs]", () => {
    const headerValue = fc.oneof(
      fc.constant(undefined),
      fc.nat({ max: 10_000_000 }).map(String),
      fc.integer({ min: -1e12, max: 1e12 }).map((offset) => new Date(NOW + offset).toUTCString()),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.oneof(fc.constantFrom(429, 500, 502, 503, 504), fc.integer({ min: 200, max: 599 })),
        headerValue,
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        (attempt, code, header, r, cap, base, asError) => {
          const p: RetryPolicy = resolveRetryPolicy({ maxAttempts: 101, maxDelayMs: cap, baseDelayMs: base });
          const outcome = asError
            ? new Error("network")
            : status(code, header === undefined ? {} : { "retry-after": header });
          const delay = retryDelayMs(attempt, outcome, p, () => r, NOW);
          if (delay === null) return;
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });
});
