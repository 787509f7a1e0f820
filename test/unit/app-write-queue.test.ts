import { describe, expect, it } from "vitest";
import { SigilError } from "../../src/core/index.js";
import { createWriteQueue, writeRetryDelayMs } from "../../src/github/write-queue.js";

const httpError = (status: number, headers: Record<string, string> = {}, message = "x") =>
  Object.assign(new Error(message), { status, response: { headers } });
const opts = { maxDelayMs: 120_000, random: () => 1 };

describe("the installation write queue", () => {
  it("waits as GitHub advises: retry-after, x-ratelimit-reset, a minute for a bare secondary limit, backoff for 5xx", () => {
    expect(writeRetryDelayMs(httpError(403, { "retry-after": "7" }), 1, 0, opts)).toBe(7000);
    expect(writeRetryDelayMs(httpError(429, { "retry-after": "2" }), 1, 0, opts)).toBe(2000);
    expect(
      writeRetryDelayMs(
        httpError(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "100" }),
        1,
        40_000,
        opts,
      ),
    ).toBe(60_000);
    expect(
      writeRetryDelayMs(httpError(403, {}, "You have exceeded a secondary rate limit"), 1, 0, opts),
    ).toBe(60_000);
    expect(writeRetryDelayMs(httpError(502), 2, 0, opts)).toBe(1000);
    expect(writeRetryDelayMs(httpError(403, { "retry-after": "9999" }), 1, 0, opts)).toBe(120_000);
  });

  it("never retries a plain 403, a 404 or a 422", () => {
    expect(
      writeRetryDelayMs(httpError(403, {}, "Resource not accessible by integration"), 1, 0, opts),
    ).toBeNull();
    expect(writeRetryDelayMs(httpError(404), 1, 0, opts)).toBeNull();
    expect(writeRetryDelayMs(httpError(422), 1, 0, opts)).toBeNull();
    expect(writeRetryDelayMs(new Error("no status"), 1, 0, opts)).toBeNull();
  });

  it("runs writes one at a time, in order, and a failure does not block the next", async () => {
    const sleeps: number[] = [];
    const enqueue = createWriteQueue({ sleep: async (ms) => void sleeps.push(ms) });
    const order: string[] = [];
    let running = 0;
    const write = (name: string, fail?: unknown) => async () => {
      running += 1;
      expect(running).toBe(1);
      await new Promise((r) => setImmediate(r));
      order.push(name);
      running -= 1;
      if (fail) throw fail;
      return name;
    };
    const results = await Promise.allSettled([
      enqueue(write("a")),
      enqueue(write("b", httpError(422))),
      enqueue(write("c")),
    ]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(sleeps).toEqual([]);
  });

  it("retries a rate-limited write after the advised wait, then gives up with ERR_GITHUB_WRITE", async () => {
    const sleeps: number[] = [];
    const enqueue = createWriteQueue({ sleep: async (ms) => void sleeps.push(ms), maxAttempts: 3 });
    let calls = 0;
    const ok = await enqueue(async () => {
      calls += 1;
      if (calls < 3) throw httpError(403, { "retry-after": "3" });
      return "done";
    });
    expect(ok).toBe("done");
    expect(sleeps).toEqual([3000, 3000]);
    const failing = enqueue(async () => {
      throw httpError(503);
    });
    await expect(failing).rejects.toBeInstanceOf(SigilError);
    await expect(failing).rejects.toMatchObject({
      code: "ERR_GITHUB_WRITE",
      message: expect.stringContaining("GitHub write failed after retries"),
    });
  });
});
