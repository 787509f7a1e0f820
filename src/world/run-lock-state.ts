import { readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { parseJsonStrict } from "../core/index.js";

/**
 * What a run's lock looks like on disk (written by src/jobs/run-lock.ts): numbered epochs under
 * `<run>/.locks/`, the highest one naming its holder. Readers of the World (verify, gc) only need
 * to know whether a live process holds it, so that part lives here, below the governed loop.
 */
export const LOCKS_DIR = ".locks";

export const LockOwner = z.strictObject({
  pid: z.number().int(),
  host: z.string(),
  token: z.string(),
  acquired_at: z.string(),
  queue_job_id: z.string(),
});
export type LockOwner = z.infer<typeof LockOwner>;

/** Holders on other hosts cannot be probed; their lock is trusted this long. */
export const FOREIGN_LOCK_TTL_MS = 6 * 60 * 60 * 1000;

/** Same host: the pid answers signal 0. Another host: trust the lock until it is old. */
export function defaultIsAlive(owner: LockOwner, now = Date.now()): boolean {
  if (owner.host !== hostname()) return now - Date.parse(owner.acquired_at) < FOREIGN_LOCK_TTL_MS;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live holder of a run's lock, or undefined when nobody (alive) holds it. */
export function liveLockHolder(
  runDir: string,
  isAlive: (owner: LockOwner) => boolean = (owner) => defaultIsAlive(owner),
): LockOwner | undefined {
  const dir = join(runDir, LOCKS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const top = names
    .filter((name) => /^[1-9][0-9]*$/.test(name))
    .map(Number)
    .sort((a, b) => a - b)
    .at(-1);
  if (top === undefined) return undefined;
  try {
    const owner = LockOwner.safeParse(parseJsonStrict(readFileSync(join(dir, String(top)), "utf8")));
    return owner.success && isAlive(owner.data) ? owner.data : undefined;
  } catch {
    return undefined;
  }
}
