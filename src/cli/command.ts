import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { z } from "zod";
import {
  createLogger,
  createRedactor,
  type ErrorCode,
  killAllProcessGroups,
  type Logger,
  parseWith,
  type Redactor,
  SigilError,
  secretValuesFrom,
} from "../core/index.js";
import { type CliContext, type CliEnv, type CliStream, EXIT, parseCliEnv } from "./context.js";
import { type Colors, colorsFor } from "./style.js";

/**
 * The one command boundary (docs/cli.md): every `sigil` command is declared with commander (for
 * help text) and runs through `defineCommand`, which parses its flags and arguments with zod,
 * parses the environment once, sends every byte of output through the redactor, renders errors
 * in one shape and maps them to exit codes, and ends the command on SIGINT/SIGTERM.
 */

/** Codes that mean "the command line is wrong": exit 2, like a commander parse error. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(["ERR_USAGE", "ERR_WRITE_PREFIX", "ERR_APP_CONFIG"]);

export function exitCodeFor(code: ErrorCode): number {
  return USAGE_CODES.has(code) ? EXIT.usage : EXIT.failed;
}

/** What a command's handler gets besides its parsed flags. */
export interface CommandIo {
  ctx: CliContext;
  env: CliEnv;
  /** Redacted writers: nothing reaches the terminal or a pipe without passing the redactor. */
  stdout: CliStream;
  stderr: CliStream;
  redact: Redactor;
  colors: Colors;
  /** Where log lines go: stderr as NDJSON, or their human rendering (see resolveLogFormat). */
  logStream(format: LogFormat): CliStream;
  /** The NDJSON logger writing to logStream(format). */
  logger(format?: LogFormat): Logger;
  /** The world root from a positional argument or `--world` (or SIGIL_WORLD, or ./artifacts). */
  worldRoot(positional?: string, flag?: string): string;
  /** Like worldRoot, for commands that read a world: it must exist. */
  existingWorld(positional?: string, flag?: string): string;
  signal: AbortSignal;
}

export type LogFormat = "json" | "human";

/** How a failed command prints itself with `--json`: run-like commands print their own shape. */
export type ErrorBody = (error: SigilError) => unknown;

/** The JSON error shape of every command that is not run-like: no invented identities. */
export const plainErrorBody: ErrorBody = (error) => ({
  status: "error",
  error: { code: error.code, message: error.message },
});

export interface CommandSpec<S extends z.ZodType> {
  /** Names of the positional arguments, in order, as keys of the parsed flags. */
  args?: readonly string[];
  flags: S;
  /** For `--json` error output; plainErrorBody unless the command prints envelopes. */
  errorBody?: ErrorBody;
  run(flags: z.infer<S>, io: CommandIo): Promise<number>;
}

/** Attaches a zod-parsed, error-mapped, signal-aware action to a commander command. */
export function defineCommand<S extends z.ZodType>(
  command: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
  spec: CommandSpec<S>,
): Command {
  const label = `sigil ${commandPath(command)}`;
  return command.action(async (...received: unknown[]) => {
    const options = command.opts();
    const raw: Record<string, unknown> = { ...options };
    (spec.args ?? []).forEach((name, i) => {
      if (received[i] !== undefined) raw[name] = received[i];
    });
    const json = options.json === true;
    setExit(await runBoundary(ctx, json, spec.errorBody ?? plainErrorBody, label, spec, raw));
  });
}

async function runBoundary<S extends z.ZodType>(
  ctx: CliContext,
  json: boolean,
  errorBody: ErrorBody,
  label: string,
  spec: CommandSpec<S>,
  raw: Record<string, unknown>,
): Promise<number> {
  const redact = createRedactor(secretValuesFrom(ctx.env));
  const stdout = redactingStream(ctx.stdout, redact);
  const stderr = redactingStream(ctx.stderr, redact);
  const signal = ctx.signal ?? new AbortController().signal;
  try {
    const env = parseCliEnv(ctx.env);
    const flags = parseWith(spec.flags, raw, "ERR_USAGE", label);
    const io = commandIo(ctx, env, stdout, stderr, redact, signal);
    const work = spec.run(flags, io);
    try {
      return await untilInterrupted(work, signal);
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
      // Stop the processors, then let the command wind down (record a failed run, remove a
      // half-written prefix) before answering: nothing is left that `verify` would trip on.
      // A second signal ends the process at once (src/cli/entry.ts).
      killAllProcessGroups("SIGTERM");
      const answered = await work.then(
        () => true,
        () => false,
      );
      // A command that wound down printed its own answer (sigil run: an ERR_INTERRUPTED envelope).
      if (answered) return error.signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
      throw error;
    }
  } catch (error) {
    if (error instanceof Interrupted) {
      const sigil = new SigilError("ERR_INTERRUPTED", `${label} stopped by ${error.signal}`);
      renderError(sigil, json, errorBody, stdout, stderr);
      return error.signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
    }
    // Domain errors arrive as SigilErrors; anything else is a bug, said as one.
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    renderError(sigil, json, errorBody, stdout, stderr);
    return exitCodeFor(sigil.code);
  }
}

export function renderError(
  error: SigilError,
  json: boolean,
  errorBody: ErrorBody,
  stdout: CliStream,
  stderr: CliStream,
): void {
  if (json) stdout.write(`${JSON.stringify(errorBody(error))}\n`);
  else stderr.write(`✖ ${error.code}: ${error.message}\n`);
}

class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/** Resolves with the command, or rejects as soon as a signal arrives (children are killed by the entry). */
function untilInterrupted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted(String(signal.reason)));
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(new Interrupted(String(signal.reason)));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export function redactingStream(stream: CliStream, redact: Redactor): CliStream {
  return {
    write: (text: string) => stream.write(redact(text)),
    ...(stream.isTTY ? { isTTY: true } : {}),
  };
}

function commandIo(
  ctx: CliContext,
  env: CliEnv,
  stdout: CliStream,
  stderr: CliStream,
  redact: Redactor,
  signal: AbortSignal,
): CommandIo {
  const human = humanLogStream(stderr, colorsFor(ctx.stderr, env));
  const logStream = (format: LogFormat) => (format === "json" ? stderr : human);
  const worldRoot = (positional?: string, flag?: string) => {
    if (
      positional !== undefined &&
      flag !== undefined &&
      resolve(ctx.cwd, positional) !== resolve(ctx.cwd, flag)
    )
      throw new SigilError("ERR_USAGE", `two worlds given: ${positional} and --world ${flag}; give one`);
    return resolve(ctx.cwd, positional ?? flag ?? env.SIGIL_WORLD ?? "artifacts");
  };
  return {
    ctx,
    env,
    stdout,
    stderr,
    redact,
    colors: colorsFor(ctx.stdout, env),
    signal,
    worldRoot,
    existingWorld: (positional, flag) => {
      const root = worldRoot(positional, flag);
      let isDir = false;
      try {
        isDir = statSync(root).isDirectory();
      } catch {}
      if (!isDir)
        throw new SigilError("ERR_USAGE", `no world at ${root}: give a world root, or set SIGIL_WORLD`);
      return root;
    },
    logStream,
    logger: (format = "json") =>
      createLogger({ redact, level: env.SIGIL_LOG_LEVEL ?? "info", destination: logStream(format) }),
  };
}

/**
 * `--log-format` resolved: NDJSON for machines (stderr not a terminal, or asked for), a short
 * human rendering on a terminal.
 */
export function resolveLogFormat(flag: LogFormat | undefined, env: CliEnv, stderr: CliStream): LogFormat {
  return flag ?? env.SIGIL_LOG_FORMAT ?? (stderr.isTTY ? "human" : "json");
}

const HUMAN_LEVELS = new Set(["warn", "error", "fatal"]);

/** On a terminal the event stream is noise: show warnings and errors as one line each. */
export function humanLogStream(stderr: CliStream, colors: Colors): CliStream {
  return {
    write: (text: string) => {
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        const event = parseLogLine(line);
        if (!event || !HUMAN_LEVELS.has(event.level)) continue;
        const head = event.level === "warn" ? colors.yellow("warning") : colors.red(event.level);
        const what = [event.code, event.msg].filter(Boolean).join(": ");
        stderr.write(`${head} ${what || event.event || ""}\n`);
      }
      return true;
    },
    ...(stderr.isTTY ? { isTTY: true } : {}),
  };
}

function parseLogLine(
  line: string,
): { level: string; msg?: string; code?: string; event?: string } | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const text = (key: string) => (typeof record[key] === "string" ? (record[key] as string) : undefined);
    const level = text("level");
    if (!level) return undefined;
    return {
      level,
      ...(text("msg") ? { msg: text("msg") } : {}),
      ...(text("code") ? { code: text("code") } : {}),
      ...(text("event") ? { event: text("event") } : {}),
    };
  } catch {
    return { level: "warn", msg: line };
  }
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
