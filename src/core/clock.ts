import { randomFillSync } from "node:crypto";
import { v7 } from "uuid";

/** Time and randomness are ports: deterministic bytes never read them directly. */
export interface Clock {
  nowMs(): number;
  /** Monotonic milliseconds for durations. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

/** A runtime identity (execution id, queue job id): UUID version 7, time-ordered. */
export function newUuid7(clock: Clock = systemClock): string {
  // node:crypto rather than uuid's default WebCrypto, whose first use costs ~10 ms of start-up.
  return v7({ msecs: clock.nowMs(), random: randomFillSync(new Uint8Array(16)) });
}

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}
