import { resolve } from "node:path";
import { z } from "zod";
import { OwnerName, parseWith } from "../core/index.js";

/** A stream the CLI writes to; `isTTY` decides between human and machine output. */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What a CLI command touches of its process, so tests can run commands in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: CliStream;
  stderr: CliStream;
  /** Standard input as bytes: decoding (strict UTF-8) is the reader's decision. */
  readStdin(): Promise<Buffer>;
  /** Aborted when the process receives SIGINT or SIGTERM; the reason is the signal's name. */
  signal?: AbortSignal;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export const LogLevel = z.enum(LOG_LEVELS);

/**
 * The variables the CLI reads, parsed once at the boundary: a bad value is a command-line error
 * with its name, never a crash deep inside. Other variables pass through untouched (processors
 * see an allow-list of them, secrets are read by name).
 */
export const CliEnv = z.looseObject({
  SIGIL_LOG_LEVEL: LogLevel.optional(),
  SIGIL_LOG_FORMAT: z.enum(["json", "human"]).optional(),
  SIGIL_WORLD: z.string().min(1).optional(),
  GITHUB_REPOSITORY: OwnerName.optional(),
  DATABASE_URL: z.string().min(1).optional(),
  NO_COLOR: z.string().optional(),
  FORCE_COLOR: z.string().optional(),
  TERM: z.string().optional(),
  CI: z.string().optional(),
});
export type CliEnv = z.infer<typeof CliEnv>;

/** Empty strings mean "unset", as shells and CI systems write them. */
export function parseCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  return parseWith(CliEnv, present, "ERR_USAGE", "environment");
}

export function processContext(): CliContext {
  return {
    cwd: resolve(process.cwd()),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}
