import { mkdir, readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, SigilError } from "../../src/core/index.js";
import { acquireRunLock, defaultIsAlive, LOCKS_DIR, type LockOwner } from "../../src/jobs/index.js";
import { tempDir } from "../helpers/temp.js";

const never = async () => false;

async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ["-e", ""]);
  const pid = child.pid ?? -1;
  await child; // reaped: the pid no longer answers signal 0
  return pid;
}

function owner(pid: number, host = hostname()): LockOwner {
  return { pid, host, token: "t", acquired_at: new Date().toISOString(), queue_job_id: "q" };
}

describe("per-run lock (numbered epochs)", () => {
  test("holders never overlap: concurrent acquirers take turns", async () => {
    await using tmp = await tempDir();
    let inside = 0;
    let most = 0;
    const worker = async (i: number) => {
      const outcome = await acquireRunLock(tmp.path, {
        queueJobId: `q${i}`,
        settled: never,
        timeoutMs: 10_000,
        pollMs: 2,
      });
      if (outcome.kind !== "acquired") throw new Error("unexpected");
      inside++;
      most = Math.max(most, inside);
      await sleep(5);
      inside--;
      await outcome.lock.release();
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
    expect(most).toBe(1);
  });

  test("a run that settles while we wait ends the wait without a lock", async () => {
    await using tmp = await tempDir();
    const held = await acquireRunLock(tmp.path, { queueJobId: "a", settled: never, timeoutMs: 1000 });
    let settled = false;
    setTimeout(() => {
      settled = true;
    }, 30);
    const waiter = await acquireRunLock(tmp.path, {
      queueJobId: "b",
      settled: async () => settled,
      timeoutMs: 5000,
      pollMs: 5,
    });
    expect(waiter.kind).toBe("settled");
    if (held.kind === "acquired") await held.lock.release();
  });

  test("a dead holder's lock is taken over with the next epoch; old epochs are tidied", async () => {
    await using tmp = await tempDir();
    const dir = join(tmp.path, LOCKS_DIR);
    await mkdir(dir);
    await writeFile(join(dir, "1"), JSON.stringify(owner(await deadPid())));
    const outcome = await acquireRunLock(tmp.path, { queueJobId: "q", settled: never, timeoutMs: 1000 });
    expect(outcome.kind).toBe("acquired");
    if (outcome.kind !== "acquired") return;
    expect(outcome.lock.epoch).toBe(2);
    expect(await readdir(dir)).toEqual(["2"]);
    await outcome.lock.release();
    expect(await readdir(tmp.path)).toEqual([]); // the empty .locks folder goes too
  });

  test("of many processes taking over one dead holder, exactly one wins each epoch", async () => {
    await using tmp = await tempDir();
    const dir = join(tmp.path, LOCKS_DIR);
    await mkdir(dir);
    await writeFile(join(dir, "1"), JSON.stringify(owner(await deadPid())));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        acquireRunLock(tmp.path, { queueJobId: `q${i}`, settled: never, timeoutMs: 50, pollMs: 5 }).then(
          (o) => o,
          (e: unknown) => e,
        ),
      ),
    );
    const winners = results.filter((r) => !(r instanceof Error));
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r instanceof Error)) {
      expect(loser).toBeInstanceOf(SigilError);
      expect((loser as SigilError).code).toBe("ERR_TIMEOUT");
      expect((loser as SigilError).message).toContain(ERROR_TABLE.ERR_TIMEOUT);
    }
  });

  test("a live holder makes others wait, then time out with ERR_TIMEOUT naming it", async () => {
    await using tmp = await tempDir();
    const held = await acquireRunLock(tmp.path, { queueJobId: "holder", settled: never, timeoutMs: 1000 });
    const error = await acquireRunLock(tmp.path, {
      queueJobId: "w",
      settled: never,
      timeoutMs: 40,
      pollMs: 5,
    }).catch((e: unknown) => e);
    expect((error as SigilError).code).toBe("ERR_TIMEOUT");
    expect((error as SigilError).message).toContain("queue job holder");
    if (held.kind === "acquired") await held.lock.release();
  });

  test("liveness: own pid alive, reaped pid dead, foreign host trusted until old", async () => {
    expect(defaultIsAlive(owner(process.pid))).toBe(true);
    expect(defaultIsAlive(owner(await deadPid()))).toBe(false);
    expect(defaultIsAlive(owner(1, "elsewhere"))).toBe(true);
    const old = { ...owner(1, "elsewhere"), acquired_at: "2000-01-01T00:00:00.000Z" };
    expect(defaultIsAlive(old)).toBe(false);
  });
});
