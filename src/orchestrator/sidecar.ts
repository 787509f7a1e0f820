import { randomUUID } from "node:crypto";
import { link, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { canonicalize, parseJsonStrict, SigilError, writeFileAtomic } from "../core/index.js";
import { RunContext } from "./context.js";

/**
 * The RunContext sidecar (docs/orchestrator.md): `<root>/.sigil/orchestrator/<run_id>/context.json`,
 * written atomically after every step, and `context.lock`, held by the one process advancing it.
 */
export function runsDir(root: string): string {
  return join(root, ".sigil", "orchestrator");
}

export function sidecarPath(root: string, runId: string): string {
  return join(runsDir(root), runId, "context.json");
}

export async function readRunContext(root: string, runId: string): Promise<RunContext> {
  if (!/^[0-9a-f-]{36}$/.test(runId))
    throw new SigilError("ERR_ORCH_RUN", `${JSON.stringify(runId)} is not a run id`);
  let text: string;
  try {
    text = await readFile(sidecarPath(root, runId), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new SigilError("ERR_ORCH_RUN", `no run ${runId} under ${runsDir(root)}`);
    throw error;
  }
  const parsed = RunContext.safeParse(parseJsonStrict(text));
  if (!parsed.success)
    throw new SigilError(
      "ERR_ORCH_CONTEXT",
      `${sidecarPath(root, runId)}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

export async function writeRunContext(root: string, context: RunContext): Promise<void> {
  await writeFileAtomic(sidecarPath(root, context.run_id), `${canonicalize(RunContext.parse(context))}\n`);
}

/** Every run id with a sidecar under the root, sorted (UUID7 sorts by start time). */
export async function listRunIds(root: string): Promise<string[]> {
  try {
    return (await readdir(runsDir(root))).filter((n) => /^[0-9a-f-]{36}$/.test(n)).sort();
  } catch {
    return [];
  }
}

export interface ContextLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `context.lock` (link(2) of a complete temp file: exclusive). A lock left by a dead process on this host (a crash) is taken
 * over; a live holder is ERR_ORCH_LOCKED: two processes never advance one run.
 */
export async function lockRunContext(root: string, runId: string): Promise<ContextLock> {
  const path = join(runsDir(root), runId, "context.lock");
  const me = JSON.stringify({ pid: process.pid, host: hostname() });
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written whole to a temp file, then linked: link(2) fails when the name exists, and nobody
    // ever reads a half-written lock.
    // Unique per call: two resumes in one process (an App's concurrent deliveries) must not share it.
    const temp = `${path}.tmp-${process.pid}-${randomUUID()}`;
    try {
      await writeFile(temp, me);
      await link(temp, path);
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await rm(temp, { force: true });
    }
    let holder: { pid?: unknown; host?: unknown } = {};
    try {
      holder = JSON.parse(await readFile(path, "utf8")) as typeof holder;
    } catch {}
    const dead = holder.host === hostname() && typeof holder.pid === "number" && !alive(holder.pid);
    const torn = typeof holder.pid !== "number";
    if (!dead && !torn)
      throw new SigilError("ERR_ORCH_LOCKED", `run ${runId} is held by pid ${String(holder.pid)}`);
    await rm(path, { force: true });
  }
  throw new SigilError("ERR_ORCH_LOCKED", `run ${runId}: could not take ${path}`);
}
