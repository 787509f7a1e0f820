import { join } from "node:path";
import { execa } from "execa";
import { main } from "../../src/cli/main.js";
import { REPO_ROOT } from "./temp.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a captured context. */
export async function runCli(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string },
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd: options.cwd,
    env: options.env ?? { PATH: process.env.PATH },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    readStdin: async () => Buffer.from(options.stdin ?? ""),
  });
  return { code, stdout, stderr };
}

/** Runs `bin/sigil.cjs` as a real child process, as a user would. */
export async function runSigilProcess(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const result = await execa(process.execPath, [join(REPO_ROOT, "bin/sigil.cjs"), ...argv], {
    cwd: options.cwd,
    env: options.env ?? { PATH: process.env.PATH },
    extendEnv: false,
    reject: false,
  });
  return { code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
