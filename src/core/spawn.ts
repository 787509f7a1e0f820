import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";

/**
 * The one spawn helper (docs/contracts/logs.md): no TTY, stderr streamed line by line, bounded head and
 * tail of each stream plus the sha256 of all of it, and a hard wall-clock timeout that kills the
 * child's whole process group (SIGTERM, then SIGKILL after a short grace).
 */
export interface SpawnRequest {
  file: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment of the child: nothing is inherited implicitly. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Characters kept from each end of each stream. */
  tailChars?: number;
  onStderrLine?: (line: string) => void;
}

export interface StreamTail {
  head: string;
  tail: string;
  sha256: string;
  bytes: number;
  truncated: boolean;
}

export interface SpawnResult {
  rc: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: StreamTail;
  stderr: StreamTail;
  elapsedMs: number;
  /** Why the process could not be started or was ended, when it was not a plain exit. */
  failure: string | null;
}

export type Spawn = (request: SpawnRequest) => Promise<SpawnResult>;

const DEFAULT_TAIL = 4096;
/** After SIGTERM at the deadline, the tree gets this long before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** After the tree is killed, pipes are read this much longer, then abandoned. */
const DRAIN_MS = 2000;

/**
 * Process groups started here and not yet settled. The CLI boundary calls
 * killAllProcessGroups() on SIGINT/SIGTERM so no processor tree outlives `sigil` itself.
 */
const liveGroups = new Set<number>();

class TailKeeper {
  private readonly hash = createHash("sha256");
  private head = "";
  private tail = "";
  private bytes = 0;
  private total = 0;
  constructor(private readonly keep: number) {}

  push(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const text = chunk.toString("utf8");
    this.total += text.length;
    if (this.head.length < this.keep) this.head += text.slice(0, this.keep - this.head.length);
    this.tail = (this.tail + text).slice(-this.keep);
  }

  result(): StreamTail {
    const truncated = this.total > this.keep * 2;
    // When everything fits, head and tail overlap: report it once, as the head.
    const whole = this.total <= this.keep;
    return {
      head: this.head,
      tail: whole ? "" : this.tail,
      sha256: this.hash.digest("hex"),
      bytes: this.bytes,
      truncated,
    };
  }
}

function forwardLines(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = "";
  const flush = (final: boolean) => {
    const parts = pending.split("\n");
    pending = final ? "" : (parts.pop() ?? "");
    for (const line of parts) if (line.length > 0) onLine(line);
  };
  const handler = (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    flush(false);
  };
  Object.assign(handler, { end: () => flush(true) });
  return handler;
}

export const spawnProcess: Spawn = (request) =>
  // detached: the child leads a new process group (setsid), so a timeout ends its whole tree
  // and a grandchild holding our pipes cannot keep us waiting.
  superviseProcess(
    spawn(request.file, [...request.args], {
      cwd: request.cwd,
      env: request.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      windowsHide: true,
    }),
    request,
  );

/**
 * Watches a child started as spawnProcess starts one (own process group, stdin ignored, stdout
 * and stderr piped): the same tails, line forwarding, timeout and group kill. The local adapter
 * also hands it a pre-started interpreter it adopted (src/run/prewarm.ts).
 */
export const superviseProcess = (child: ChildProcess, request: SpawnRequest): Promise<SpawnResult> =>
  new Promise<SpawnResult>((resolve) => {
    const keep = request.tailChars ?? DEFAULT_TAIL;
    const out = new TailKeeper(keep);
    const err = new TailKeeper(keep);
    const started = performance.now();
    const lineHandler = request.onStderrLine ? forwardLines(request.onStderrLine) : undefined;
    let timedOut = false;
    let failure: string | null = null;
    let exit: { rc: number | null; signal: string | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    let settled = false;

    const group = child.pid;
    if (group !== undefined) trackGroup(group);

    const finish = () => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      if (group !== undefined) liveGroups.delete(group);
      child.stdout?.destroy();
      child.stderr?.destroy();
      (lineHandler as { end?: () => void } | undefined)?.end?.();
      resolve({
        rc: exit?.rc ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        stdout: out.result(),
        stderr: err.result(),
        elapsedMs: Math.round(performance.now() - started),
        failure,
      });
    };
    // Stop reading at most DRAIN_MS after the tree was killed: a member that left the group
    // (its own setsid) may still hold the pipes; the tails collected so far are the answer.
    const drainThenFinish = () => timers.push(setTimeout(finish, DRAIN_MS));

    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      err.push(chunk);
      lineHandler?.(chunk);
    });
    child.on("error", (error) => {
      failure = error.message;
      finish();
    });
    child.on("exit", (code, signal) => {
      exit = { rc: code, signal };
      // What the leader leaves behind (orphans, daemons) ends with it, closing our pipes.
      if (group !== undefined) signalGroup(group, "SIGKILL");
      drainThenFinish();
    });
    // "close": the leader exited and every holder of its pipes closed them.
    child.on("close", finish);

    if (group !== undefined) {
      timers.push(
        setTimeout(() => {
          if (exit || settled) return;
          timedOut = true;
          signalGroup(group, "SIGTERM");
          timers.push(
            setTimeout(() => {
              signalGroup(group, "SIGKILL");
              drainThenFinish();
            }, KILL_GRACE_MS),
          );
        }, request.timeoutMs),
      );
    }
  });

let exitHookInstalled = false;

function trackGroup(group: number): void {
  liveGroups.add(group);
  // A detached tree no longer dies with our terminal's process group; at least an orderly
  // exit (process.exit, end of the event loop) takes it along. Signals: the CLI boundary.
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => killAllProcessGroups("SIGKILL"));
  }
}

/** Sends `signal` to every process group this helper started and still waits on. */
export function killAllProcessGroups(signal: NodeJS.Signals = "SIGKILL"): number {
  for (const group of liveGroups) signalGroup(group, signal);
  return liveGroups.size;
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/** "head … tail (sha256 …, N bytes)": an error tail that is bounded and still identifiable. */
export function describeTail(stream: StreamTail): string {
  const body = stream.tail ? `${stream.head}\n…\n${stream.tail}` : stream.head;
  return `${body.trim()}\n[sha256 ${stream.sha256}, ${stream.bytes} bytes${stream.truncated ? ", truncated" : ""}]`;
}
