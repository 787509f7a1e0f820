import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Writable } from "node:stream";
import { type SpawnRequest, type SpawnResult, superviseProcess } from "../core/index.js";

/**
 * The interpreter bin/sigil.cjs pre-starts for `sigil run` / `job run` (docs/performance.md): it
 * waits on fd 3 for one job spec (bin/prewarm.py). The local adapter adopts it
 * when it is exactly what its own spawn would start, else kills it and spawns as always.
 */
interface WarmInterpreter {
  /** The program it was started as (resolved on the same PATH as the adapter's spawn). */
  file: string;
  /** The whole environment it was started with: no secret, only what Python reads at start. */
  env: Record<string, string>;
  /** The folder it was started in. */
  cwd: string;
  child: ChildProcess;
  /** Set when the adapter took it over: the CLI's exit hook then leaves it to the spawn helper. */
  adopted: boolean;
}

/** What the bootstrap reads: the adapter's additions to its environment, cwd and argv. */
export interface WarmSpec {
  cwd: string;
  /** The names of the environment it was started with (a launcher may have added others). */
  started_with: string[];
  env: Record<string, string>;
  args: string[];
  module?: string;
  script?: string;
}

const WARM_KEY = Symbol.for("sigil.prewarm");

/** Variables that shape how the interpreter starts or is found: they must already be right. */
const START_ENV = /^(PYTHON|PYENV|LC_|LANG$|PATH$|HOME$|TMPDIR$|TZ$)/;

/** Takes the pre-started interpreter, once; undefined when there is none (or it already died). */
function takeWarm(): WarmInterpreter | undefined {
  const holder = process as unknown as Record<symbol, WarmInterpreter | undefined>;
  const warm = holder[WARM_KEY];
  holder[WARM_KEY] = undefined;
  return warm;
}

/** The spec that turns `warm` into `request`'s process, or why it cannot. */
export function warmSpecFor(
  warm: Pick<WarmInterpreter, "file" | "env" | "cwd">,
  request: SpawnRequest,
): WarmSpec | string {
  if (request.file !== warm.file) return `entrypoint is ${request.file}, not ${warm.file}`;
  for (const [name, value] of Object.entries(warm.env)) {
    if (request.env[name] !== value) return `${name} differs from the pre-started interpreter's`;
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.env)) {
    if (name in warm.env) continue;
    if (START_ENV.test(name)) return `${name} must be set when the interpreter starts`;
    env[name] = value;
  }
  // A relative PATH entry would resolve the program against another cwd than the adapter's.
  if ((warm.env.PATH ?? "").split(":").some((entry) => !isAbsolute(entry)))
    return "PATH has a relative entry";
  if (!existsSync(request.cwd)) return "cwd does not exist";
  // A version manager's shim (pyenv, asdf, mise) picks the interpreter from the nearest file.
  for (const name of VERSION_FILES) {
    if (nearest(name, warm.cwd) !== nearest(name, request.cwd)) return `${name} may pick another interpreter`;
  }
  const started_with = Object.keys(warm.env);
  const [first = "", second, ...rest] = request.args;
  if (first === "-m" && second && !second.startsWith("-")) {
    return { cwd: request.cwd, started_with, env, module: second, args: rest };
  }
  if (first !== "" && !first.startsWith("-")) {
    return { cwd: request.cwd, started_with, env, script: first, args: request.args.slice(1) };
  }
  return "entrypoint is neither `-m <module>` nor a script path";
}

/** Files by which version managers choose an interpreter per folder. */
const VERSION_FILES = [".python-version", ".tool-versions", ".mise.toml", "mise.toml"];

/** The nearest `name` in `dir` or above it. */
function nearest(name: string, dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, name))) return join(at, name);
    if (dirname(at) === at) return undefined;
  }
}

export type PrewarmDecision = { adopted: true } | { adopted: false; reason: string };

/**
 * Runs `request` in the pre-started interpreter when it fits, else through `spawn`; a warm
 * interpreter not adopted is killed first. `decided` hears which way it went (a debug event).
 */
export function spawnPrewarmed(
  request: SpawnRequest,
  spawn: (request: SpawnRequest) => Promise<SpawnResult>,
  decided: (decision: PrewarmDecision) => void,
): Promise<SpawnResult> {
  const warm = takeWarm();
  if (!warm) return spawn(request);
  const { child } = warm;
  const alive = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const spec = alive ? warmSpecFor(warm, request) : "the pre-started interpreter is gone";
  if (typeof spec === "string") {
    if (child.pid !== undefined) killGroup(child.pid);
    decided({ adopted: false, reason: spec });
    return spawn(request);
  }
  warm.adopted = true;
  child.ref();
  for (const stream of child.stdio) (stream as { ref?: () => void } | null)?.ref?.();
  decided({ adopted: true });
  // Watched from here exactly as a fresh spawn; the spec goes last, then fd 3 is closed.
  const result = superviseProcess(child, request);
  const channel = child.stdio[3] as Writable | null;
  channel?.on("error", () => {});
  channel?.end(JSON.stringify(spec));
  return result;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: already gone.
  }
}
