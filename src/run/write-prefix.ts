import { existsSync, readdirSync, realpathSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { ensureWorldDir, errnoOf, SigilError, writingWorld } from "../core/index.js";

/** Top-level names of the world root that runs may not write into directly. */
export const RESERVED_WORLD_DIRS = ["execution"] as const;

export const EXECUTION_ID_PLACEHOLDER = "{execution_id}";

export interface ResolvedPrefix {
  /** Absolute path of the write prefix. */
  absolute: string;
  /** Path of the prefix relative to the world root, `/`-separated, no trailing slash. */
  worldRelative: string;
  /** Absolute, symlink-resolved world root. */
  worldRoot: string;
}

/** The real path of `path`, or of its deepest existing ancestor joined with the rest. */
function realpathLenient(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    rest.unshift(existing.slice(dirname(existing).length + 1));
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return resolve(realpathSync(existing), ...rest);
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

/**
 * Expand `{execution_id}` and check the prefix lies inside the world root (symlinks resolved),
 * outside reserved folders, and holds nothing yet: a run never writes over another run.
 */
export function resolveWritePrefix(
  template: string,
  executionId: string,
  worldRoot: string,
  cwd: string,
): ResolvedPrefix {
  if (template.includes("\0")) throw new SigilError("ERR_WRITE_PREFIX", "write prefix contains a NUL byte");
  const expanded = template.split(EXECUTION_ID_PLACEHOLDER).join(executionId);
  const absolute = realpathLenient(resolve(cwd, expanded));
  const world = realpathLenient(resolve(cwd, worldRoot));
  if (!isInside(world, absolute)) {
    throw new SigilError(
      "ERR_WRITE_PREFIX",
      `write prefix ${template} is not inside the world root ${worldRoot}`,
    );
  }
  const worldRelative = relative(world, absolute).split(sep).join("/");
  const top = worldRelative.split("/")[0] ?? "";
  if ((RESERVED_WORLD_DIRS as readonly string[]).includes(top)) {
    throw new SigilError(
      "ERR_WRITE_PREFIX",
      `write prefix may not be under the reserved world folder ${top}/`,
    );
  }
  if (existsSync(absolute) && readdirSync(absolute).length > 0) {
    throw new SigilError(
      "ERR_WRITE_PREFIX_TAKEN",
      `${worldRelative}/ already holds files; use {execution_id} in it`,
      { write_prefix: worldRelative },
    );
  }
  return { absolute, worldRelative, worldRoot: world };
}

/**
 * Claim the prefix for one run before its processor starts: creating the prefix folder itself
 * (not its parents) is atomic, so of two runs given the same fixed prefix exactly one gets it
 * and the other fails with ERR_WRITE_PREFIX_TAKEN having written nothing. A folder that exists
 * already, even empty, may be another run's claim, so it is refused too.
 */
export async function claimWritePrefix(prefix: ResolvedPrefix): Promise<void> {
  await ensureWorldDir(dirname(prefix.absolute));
  try {
    await writingWorld(prefix.absolute, () => mkdir(prefix.absolute));
  } catch (error) {
    if (errnoOf(error) !== "EEXIST") throw error;
    throw new SigilError(
      "ERR_WRITE_PREFIX_TAKEN",
      `${prefix.worldRelative}/ exists already (another run holds it); give a prefix that does not exist yet, e.g. one with {execution_id}`,
      { write_prefix: prefix.worldRelative },
    );
  }
}
