import { createRedactor, describeTail, SigilError, type Spawn, spawnProcess } from "../core/index.js";

/** Long enough for `modal deploy` building an app from pinned images. */
const MODAL_CLI_TIMEOUT_MS = 20 * 60_000;
/** `modal secret list --json` must arrive whole, not as head and tail. */
const STDOUT_KEEP = 4 * 1024 * 1024;

export interface ModalCliOptions {
  /** The environment of the `modal` executable (found on its PATH); secret values are removed. */
  env: NodeJS.ProcessEnv;
  /** Names whose values the `modal` process must never see, nor any error repeat. */
  secretNames?: readonly string[];
  cwd: string;
  spawn?: Spawn;
  timeoutMs?: number;
}

/**
 * Runs the `modal` CLI (deploy, secret list/create). Its token and environment come from
 * MODAL_TOKEN_ID, MODAL_TOKEN_SECRET and MODAL_ENVIRONMENT in `env`, which it reads itself:
 * nothing of them is put in argv or logged.
 */
export function modalCli(options: ModalCliOptions): (args: readonly string[]) => Promise<string> {
  const spawn = options.spawn ?? spawnProcess;
  const hidden = new Set(options.secretNames ?? []);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env))
    if (value !== undefined && !hidden.has(name)) env[name] = value;
  const values = [...hidden].map((n) => options.env[n]).filter((v): v is string => Boolean(v));
  const redact = createRedactor([
    ...values,
    ...[env.MODAL_TOKEN_SECRET, env.MODAL_TOKEN_ID].filter((v): v is string => Boolean(v)),
  ]);
  return async (args) => {
    const result = await spawn({
      file: "modal",
      args,
      cwd: options.cwd,
      env,
      timeoutMs: options.timeoutMs ?? MODAL_CLI_TIMEOUT_MS,
      tailChars: STDOUT_KEEP,
    });
    const command = `modal ${args.slice(0, 2).join(" ")}`;
    if (result.failure)
      throw new SigilError(
        "ERR_MODAL_CLI",
        `${command}: could not start modal (${redact(result.failure)}); is it on PATH?`,
      );
    if (result.timedOut) throw new SigilError("ERR_MODAL_CLI", `${command} did not finish and was stopped`);
    if (result.rc !== 0)
      throw new SigilError(
        "ERR_MODAL_CLI",
        `${command} exited ${result.rc ?? result.signal}: ${redact(describeTail({ ...result.stderr, head: result.stderr.head.slice(-2000) }))}`,
      );
    return result.stdout.head + result.stdout.tail;
  };
}

export type ModalCliRunner = ReturnType<typeof modalCli>;
