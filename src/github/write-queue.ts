import {
  backoffMs,
  type Clock,
  DEFAULT_RETRY_POLICY,
  type Logger,
  parseRetryAfterMs,
  realSleep,
  SigilError,
  type SleepPort,
  silentLogger,
  systemClock,
} from "../core/index.js";

/** Runs one write after every earlier write of the same installation has settled. */
export type EnqueueWrite = <T>(write: () => Promise<T>) => Promise<T>;

export interface WriteQueueOptions {
  clock?: Clock;
  /** Tests pass a sleep that records and returns at once. */
  sleep?: SleepPort;
  logger?: Logger;
  /** Attempts per write, the first included. */
  maxAttempts?: number;
  /** No wait is longer than this, whatever GitHub advises. */
  maxDelayMs?: number;
  random?: () => number;
}

/** What the queue reads of a failed Octokit request: its status and response headers. */
interface RequestFailure {
  status: number;
  headers: Record<string, string | number | undefined>;
  message: string;
}

function asFailure(error: unknown): RequestFailure | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as { status?: unknown; response?: { headers?: unknown }; message?: unknown };
  if (typeof e.status !== "number") return undefined;
  const headers = (e.response?.headers ?? {}) as Record<string, string | number | undefined>;
  return { status: e.status, headers, message: String(e.message ?? "") };
}

/**
 * Which failures deserve another attempt, and after how long (ms): a secondary rate limit (403 or
 * 429 with `retry-after`, or GitHub's "secondary rate limit" message), an exhausted primary limit
 * (`x-ratelimit-remaining: 0`, until `x-ratelimit-reset`), and 5xx. Anything else is final.
 */
export function writeRetryDelayMs(
  error: unknown,
  attempt: number,
  nowMs: number,
  options: { maxDelayMs: number; random: () => number },
): number | null {
  const failure = asFailure(error);
  if (!failure) return null;
  const header = (name: string) => {
    const v = failure.headers[name];
    return v === undefined ? undefined : String(v);
  };
  const policy = { ...DEFAULT_RETRY_POLICY, maxDelayMs: options.maxDelayMs };
  const cap = (ms: number) => Math.min(Math.max(ms, 0), options.maxDelayMs);
  const advised = parseRetryAfterMs(header("retry-after"), nowMs);
  const rateLimited =
    failure.status === 429 ||
    (failure.status === 403 &&
      (advised !== undefined ||
        header("x-ratelimit-remaining") === "0" ||
        /secondary rate limit|abuse/i.test(failure.message)));
  if (rateLimited) {
    if (advised !== undefined) return cap(advised);
    const reset = Number(header("x-ratelimit-reset"));
    if (header("x-ratelimit-remaining") === "0" && Number.isFinite(reset)) return cap(reset * 1000 - nowMs);
    // GitHub's advice when a secondary limit names no time: wait at least a minute.
    return cap(60_000);
  }
  if (failure.status >= 500 && failure.status <= 599) return backoffMs(attempt, policy, options.random);
  return null;
}

/**
 * One serial write queue (docs/app.md "Write queue"): writes run one at a time in the order they
 * were enqueued; a rate-limited or 5xx write waits as GitHub advises and is tried again, up to
 * `maxAttempts`, then fails with ERR_GITHUB_WRITE. A failed write never blocks the next one.
 */
export function createWriteQueue(options: WriteQueueOptions = {}): EnqueueWrite {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? silentLogger;
  const maxAttempts = options.maxAttempts ?? 5;
  const maxDelayMs = options.maxDelayMs ?? 120_000;
  const random = options.random ?? Math.random;
  let tail: Promise<unknown> = Promise.resolve();

  const attempt = async <T>(write: () => Promise<T>): Promise<T> => {
    for (let n = 1; ; n += 1) {
      try {
        return await write();
      } catch (error) {
        const wait = writeRetryDelayMs(error, n, clock.nowMs(), { maxDelayMs, random });
        const failure = asFailure(error);
        if (wait === null || !failure) throw error;
        if (n >= maxAttempts) {
          throw new SigilError("ERR_GITHUB_WRITE", `gave up after ${n} attempts: ${failure.status}`, {
            status: failure.status,
            attempts: n,
          });
        }
        logger.warn(
          { event: "github.write.retry", status: failure.status, attempt: n, wait_ms: wait },
          "GitHub write failed: waiting, then trying again",
        );
        await sleep(wait);
      }
    }
  };

  return <T>(write: () => Promise<T>): Promise<T> => {
    const run = tail.then(() => attempt(write));
    tail = run.catch(() => undefined);
    return run;
  };
}

/** One queue per installation, created on first use (the App's writes share one per installation). */
export function createWriteQueues(
  options: WriteQueueOptions = {},
): (installationId: number | undefined) => EnqueueWrite {
  const queues = new Map<number | string, EnqueueWrite>();
  return (installationId) => {
    const key = installationId ?? "none";
    let queue = queues.get(key);
    if (!queue) {
      queue = createWriteQueue(options);
      queues.set(key, queue);
    }
    return queue;
  };
}
