import { describe, expect, test } from "vitest";
import { SigilError } from "../../../src/core/index.js";
import { backoffDelay, uploadWithRetry } from "../../../src/orchestrator/index.js";

function flaky(failures: number) {
  let calls = 0;
  return {
    calls: () => calls,
    upload: async () => {
      calls++;
      if (calls <= failures) throw new SigilError("ERR_PUBLISH_REMOTE", `attempt ${calls}`);
      return "committed";
    },
  };
}

describe("advance only after upload: 3 retries, exponential backoff capped at 30 s", () => {
  test("the delays: 8 s, 16 s, then capped at 30 s", () => {
    expect([0, 1, 2, 3].map(backoffDelay)).toEqual([8_000, 16_000, 30_000, 30_000]);
  });
  test("2 failures then success: uploaded after sleeping 8 s and 16 s", async () => {
    const slept: number[] = [];
    const f = flaky(2);
    const outcome = await uploadWithRetry(f.upload, async (ms) => void slept.push(ms));
    expect(outcome).toEqual({ ok: true, value: "committed" });
    expect(slept).toEqual([8_000, 16_000]);
    expect(f.calls()).toBe(3);
  });
  test("4 failures: gives up after 3 retries, 8 + 16 + 30 s", async () => {
    const slept: number[] = [];
    const f = flaky(4);
    const outcome = await uploadWithRetry(f.upload, async (ms) => void slept.push(ms));
    expect(outcome.ok).toBe(false);
    expect(slept).toEqual([8_000, 16_000, 30_000]);
    expect(f.calls()).toBe(4);
  });
  test("a conflict is never retried", async () => {
    const slept: number[] = [];
    await expect(
      uploadWithRetry(
        async () => {
          throw new SigilError("ERR_PUBLISH_CONFLICT", "x");
        },
        async (ms) => void slept.push(ms),
      ),
    ).rejects.toMatchObject({ code: "ERR_PUBLISH_CONFLICT" });
    expect(slept).toEqual([]);
  });
});
