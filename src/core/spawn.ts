import { spawn } from "node:child_process";
import { createHash } from "node:crypto";

/**
 * The one spawn helper (docs/contracts/logs.md): no TTY, stderr streamed line by line, bounded head and
 * tail of each stream plus the sha256 of all of it, and a hard wall-clock timeout that kills.
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

/** Signals that end this process: a child still running then is killed first, not orphaned. */
const PARENT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs one child with node:child_process directly: execa cost about a tenth of `sigil run`'s
 * start-up (its module graph and per-spawn setup) for the few features used here.
 */
export const spawnProcess: Spawn = (request) =>
  new Promise((settle) => {
    const keep = request.tailChars ?? DEFAULT_TAIL;
    const out = new TailKeeper(keep);
    const err = new TailKeeper(keep);
    const started = performance.now();
    const child = spawn(request.file, [...request.args], {
      cwd: request.cwd,
      env: request.env,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    let timedOut = false;
    let done = false;
    const kill = () => child.kill("SIGKILL");
    const onParentSignal = (signal: NodeJS.Signals) => {
      kill();
      detach();
      // Ours was the only handler: end as the signal would have without it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
    const detach = () => {
      clearTimeout(timer);
      process.removeListener("exit", kill);
      for (const signal of PARENT_SIGNALS) process.removeListener(signal, onParentSignal);
    };
    process.once("exit", kill);
    for (const signal of PARENT_SIGNALS) process.once(signal, onParentSignal);

    const finish = (rc: number | null, signal: string | null, failure: string | null) => {
      if (done) return;
      done = true;
      detach();
      (lineHandler as { end?: () => void } | undefined)?.end?.();
      settle({
        rc,
        signal,
        timedOut,
        stdout: out.result(),
        stderr: err.result(),
        elapsedMs: Math.round(performance.now() - started),
        failure,
      });
    };
    const lineHandler = request.onStderrLine ? forwardLines(request.onStderrLine) : undefined;
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      err.push(chunk);
      lineHandler?.(chunk);
    });
    // A child that never started (ENOENT, EACCES) reports only an error.
    child.once("error", (error) => {
      if (child.pid === undefined) finish(null, null, error.message);
    });
    // `close` comes after both streams ended, so the tails are complete.
    child.once("close", (code, signal) => {
      if (child.pid === undefined) return;
      const failure = code === null && !timedOut ? `Command was killed with ${signal ?? "a signal"}` : null;
      finish(code, signal, failure);
    });
  });

/** "head … tail (sha256 …, N bytes)": an error tail that is bounded and still identifiable. */
export function describeTail(stream: StreamTail): string {
  const body = stream.tail ? `${stream.head}\n…\n${stream.tail}` : stream.head;
  return `${body.trim()}\n[sha256 ${stream.sha256}, ${stream.bytes} bytes${stream.truncated ? ", truncated" : ""}]`;
}
