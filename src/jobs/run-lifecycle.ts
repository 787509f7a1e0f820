import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { SigilError } from "../core/index.js";
import {
  ATTEMPT_FILES,
  ATTEMPTS_DIR,
  assertSafeSegment,
  FAILED_FILE,
  fsyncPath,
  MANIFEST_FILE,
  pathExists,
  sealTree,
} from "../world/index.js";

/**
 * Publish a staged snapshot set as the run directory. rename(2) of a directory onto an existing,
 * non-empty one fails, so of two processes claiming the same run exactly one succeeds.
 */
export async function claimRun(stagingDir: string, target: string): Promise<boolean> {
  await sealTree(stagingDir);
  try {
    await rename(stagingDir, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw error;
  }
  await fsyncPath(join(target, ".."));
  return true;
}

/**
 * Remove what an earlier attempt left in an unsettled run (a crash, a kill, a failed processor):
 * promoted outputs, their index and receipt, a failure record, a manifest temp file, old attempt folders. Called
 * only under the run's lock and only while there is no manifest.
 */
export async function clearUnsettled(dir: string): Promise<void> {
  if (await pathExists(join(dir, MANIFEST_FILE))) {
    throw new SigilError("ERR_RUN_CORRUPT", `${dir} is settled; refusing to clear it`);
  }
  for (const name of await readdir(dir)) {
    const leftover =
      name === "outputs" ||
      name === ATTEMPTS_DIR ||
      (ATTEMPT_FILES as readonly string[]).includes(name) ||
      name === FAILED_FILE ||
      name.startsWith(`${MANIFEST_FILE}.tmp-`);
    if (leftover) await rm(join(dir, name), { recursive: true, force: true, maxRetries: 3 });
  }
}

export function attemptDir(dir: string, executionId: string): string {
  assertSafeSegment(executionId, "execution_id");
  return join(dir, ATTEMPTS_DIR, executionId);
}

/**
 * Move a finished attempt's `outputs/`, `outputs.json` and `receipt.json` into the run directory.
 * A killed attempt's orphaned processor keeps writing only inside its own attempt folder, so it
 * can never mix bytes into the run's outputs.
 */
export async function promoteAttempt(attempt: string, dir: string): Promise<void> {
  const outputs = join(attempt, "outputs");
  if (await pathExists(outputs)) await rename(outputs, join(dir, "outputs"));
  else await mkdir(join(dir, "outputs"));
  for (const name of ATTEMPT_FILES) {
    if (await pathExists(join(attempt, name))) await rename(join(attempt, name), join(dir, name));
  }
  await sealTree(join(dir, "outputs"));
  await fsyncPath(dir);
}

/** Best-effort removal of what only an unsettled run needs (attempt folders). */
export async function tidySettled(dir: string): Promise<void> {
  await rm(join(dir, ATTEMPTS_DIR), { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
}
