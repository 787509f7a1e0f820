import { SigilError } from "../core/index.js";

/** Upload policy (docs/orchestrator.md): 3 retries, exponential backoff from 8 s, capped at 30 s. */
export const UPLOAD_RETRIES = 3;
export const UPLOAD_BASE_DELAY_MS = 8_000;
export const UPLOAD_MAX_DELAY_MS = 30_000;

export type Sleep = (ms: number) => Promise<void>;

export function backoffDelay(retry: number): number {
  return Math.min(UPLOAD_BASE_DELAY_MS * 2 ** retry, UPLOAD_MAX_DELAY_MS);
}

export type UploadOutcome<T> = { ok: true; value: T } | { ok: false; error: SigilError; attempts: number };

/**
 * Runs `upload` until it succeeds, at most 1 + 3 times, sleeping the backoff between attempts.
 * A conflict (the path holds other bytes) is never retried: replaying cannot fix it.
 */
export async function uploadWithRetry<T>(upload: () => Promise<T>, sleep: Sleep): Promise<UploadOutcome<T>> {
  let last: SigilError | undefined;
  for (let attempt = 0; attempt <= UPLOAD_RETRIES; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt - 1));
    try {
      return { ok: true, value: await upload() };
    } catch (error) {
      last = SigilError.from(error, "ERR_PUBLISH_REMOTE");
      if (last.code === "ERR_PUBLISH_CONFLICT") throw last;
    }
  }
  return { ok: false, error: last ?? new SigilError("ERR_PUBLISH_REMOTE"), attempts: UPLOAD_RETRIES + 1 };
}
