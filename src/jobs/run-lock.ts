import { randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rm, rmdir, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Clock, isoUtc, parseJsonStrict, SigilError, systemClock } from "../core/index.js";
import { defaultIsAlive, LOCKS_DIR, LockOwner } from "../world/index.js";

/**
 * The per-run execution lock. It lives in the run directory (never a global lock), so proposals
 * of different runs never wait on each other.
 *
 * Locks are numbered epochs: `.locks/1`, `.locks/2`, … The holder is whoever created the highest
 * epoch. A new epoch may be created only when the current one is free or its holder is dead, and
 * creation is `link(2)` of a fully written temp file, which fails if the name exists: of two
 * processes taking over the same dead holder, exactly one wins, and nobody ever reads a torn lock.
 */
export { defaultIsAlive, LOCKS_DIR, LockOwner } from "../world/index.js";

export interface RunLock {
  readonly epoch: number;
  release(): Promise<void>;
}

export type LockOutcome = { kind: "acquired"; lock: RunLock } | { kind: "settled" };

export interface LockOptions {
  queueJobId: string;
  /** Ends the wait: a run that settled while we waited needs no lock. */
  settled: () => Promise<boolean>;
  /** How long to wait for a live holder before ERR_TIMEOUT. */
  timeoutMs: number;
  pollMs?: number;
  clock?: Clock;
  isAlive?: (owner: LockOwner) => boolean;
}

async function listEpochs(dir: string): Promise<number[]> {
  try {
    return (await readdir(dir))
      .filter((name) => /^[1-9][0-9]*$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** The owner of an epoch; "gone" when it was released meanwhile; undefined when unreadable. */
async function readOwner(dir: string, epoch: number): Promise<LockOwner | "gone" | undefined> {
  try {
    const parsed = LockOwner.safeParse(parseJsonStrict(await readFile(join(dir, String(epoch)), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    return undefined;
  }
}

async function tryCreateEpoch(dir: string, epoch: number, owner: LockOwner): Promise<boolean> {
  const temp = join(dir, `tmp-${owner.token}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, JSON.stringify(owner), { flag: "w" });
    await link(temp, join(dir, String(epoch)));
    return true;
  } catch (error) {
    // EEXIST: another process won this epoch. ENOENT: a releasing holder removed the empty
    // folder under us. Either way the caller looks again.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOENT") return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Acquire the run's lock, or learn that the run settled while we waited. */
export async function acquireRunLock(runDir: string, options: LockOptions): Promise<LockOutcome> {
  const clock = options.clock ?? systemClock;
  const isAlive = options.isAlive ?? ((owner: LockOwner) => defaultIsAlive(owner, clock.nowMs()));
  const dir = join(runDir, LOCKS_DIR);
  const deadline = clock.monotonicMs() + options.timeoutMs;
  let waitingOn: LockOwner | undefined;
  for (;;) {
    if (await options.settled()) return { kind: "settled" };
    const epochs = await listEpochs(dir);
    const top = epochs.at(-1) ?? 0;
    const holder = top > 0 ? await readOwner(dir, top) : undefined;
    if (holder === "gone") continue; // released between listing and reading: look again
    if (top === 0 || holder === undefined || !isAlive(holder)) {
      const owner: LockOwner = {
        pid: process.pid,
        host: hostname(),
        token: randomBytes(8).toString("hex"),
        acquired_at: isoUtc(clock.nowMs()),
        queue_job_id: options.queueJobId,
      };
      if (!(await tryCreateEpoch(dir, top + 1, owner))) continue;
      // Older epochs belong to dead holders (that is how we got here): tidy them away.
      for (const old of epochs) await rm(join(dir, String(old)), { force: true });
      const lock = heldLock(dir, top + 1, owner);
      if (await options.settled()) {
        await lock.release();
        return { kind: "settled" };
      }
      return { kind: "acquired", lock };
    }
    waitingOn = holder;
    if (clock.monotonicMs() >= deadline) {
      throw new SigilError(
        "ERR_TIMEOUT",
        `waited ${options.timeoutMs} ms for run ${runDir}, held by pid ${waitingOn.pid} on ${waitingOn.host} (queue job ${waitingOn.queue_job_id})`,
      );
    }
    await sleep(options.pollMs ?? 25);
  }
}

function heldLock(dir: string, epoch: number, owner: LockOwner): RunLock {
  let released = false;
  return {
    epoch,
    async release() {
      if (released) return;
      released = true;
      const path = join(dir, String(epoch));
      const current = await readOwner(dir, epoch);
      // Only ever remove our own epoch file.
      if (current !== "gone" && current?.token === owner.token) await unlink(path).catch(() => {});
      await rmdir(dir).catch(() => {}); // only succeeds when empty: fine either way
    },
  };
}
