import { statSync } from "node:fs";
import { resolve } from "node:path";
import { decodeUtf8Strict, SigilError } from "../core/index.js";

/** What a CLI command touches of its process, so tests can run commands in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  readStdin(): Promise<string>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function worldRootFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.SIGIL_WORLD ?? "artifacts";
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
      return decodeUtf8Strict(Buffer.concat(chunks), "stdin");
    },
  };
}

/** The world a read-side command works on: it must exist, or the answer would be a silent "0 runs". */
export function existingWorld(ctx: CliContext, arg: string | undefined): string {
  const root = resolve(ctx.cwd, worldRootFrom(arg, ctx.env));
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {}
  if (!isDir) throw new SigilError("ERR_USAGE", `no world at ${root}: give a world root, or set SIGIL_WORLD`);
  return root;
}
