import { createHash } from "node:crypto";
import { execa } from "execa";

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

export const spawnProcess: Spawn = async (request) => {
  const keep = request.tailChars ?? DEFAULT_TAIL;
  const out = new TailKeeper(keep);
  const err = new TailKeeper(keep);
  const started = performance.now();
  const child = execa(request.file, [...request.args], {
    cwd: request.cwd,
    env: request.env,
    extendEnv: false,
    stdin: "ignore",
    buffer: false,
    reject: false,
    timeout: request.timeoutMs,
    killSignal: "SIGKILL",
    cleanup: true,
    windowsHide: true,
  });
  const lineHandler = request.onStderrLine ? forwardLines(request.onStderrLine) : undefined;
  child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => {
    err.push(chunk);
    lineHandler?.(chunk);
  });
  const result = await child;
  (lineHandler as { end?: () => void } | undefined)?.end?.();
  return {
    rc: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut === true,
    stdout: out.result(),
    stderr: err.result(),
    elapsedMs: Math.round(performance.now() - started),
    failure:
      result.exitCode === undefined && !result.timedOut
        ? (result.originalMessage ?? result.shortMessage ?? "spawn failed")
        : null,
  };
};

/** "head … tail (sha256 …, N bytes)": an error tail that is bounded and still identifiable. */
export function describeTail(stream: StreamTail): string {
  const body = stream.tail ? `${stream.head}\n…\n${stream.tail}` : stream.head;
  return `${body.trim()}\n[sha256 ${stream.sha256}, ${stream.bytes} bytes${stream.truncated ? ", truncated" : ""}]`;
}
