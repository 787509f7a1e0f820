export {
  createHttpClient,
  type FetchPort,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequestInit,
  realSleep,
  type SleepPort,
  urlForLog,
} from "./client.js";
export {
  type AttemptOutcome,
  backoffMs,
  DEFAULT_RETRY_POLICY,
  methodMayRetry,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
  retryDelayMs,
} from "./retry-policy.js";
