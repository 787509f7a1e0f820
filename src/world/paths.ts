import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SigilError } from "../core/index.js";

/**
 * Path hygiene for everything a brief names. Ids become directory names in the World
 * (`<world>/<job_id>/<run_id>/`, `doctrine/<id>/<version>.md`), so a value that could climb out
 * of its folder is refused as ERR_PATH_TRAVERSAL before anything is read or written.
 */

/** Refuse a value that is not one plain path segment (no separators, no `.`/`..`, no NUL). */
export function assertSafeSegment(value: string, field: string): void {
  if (value === "." || value === ".." || /[/\\\0]/.test(value) || /^[A-Za-z]:/.test(value)) {
    throw new SigilError(
      "ERR_PATH_TRAVERSAL",
      `${field} ${JSON.stringify(value.slice(0, 120))} is not a plain name`,
    );
  }
}

/** Refuse a relative path that is absolute, uses backslashes or NUL, or has a `..` segment. */
export function assertRelativePath(value: string, field: string): void {
  const shown = JSON.stringify(value.slice(0, 120));
  if (value.includes("\0") || value.includes("\\") || isAbsolute(value) || /^[A-Za-z]:/.test(value)) {
    throw new SigilError("ERR_PATH_TRAVERSAL", `${field} ${shown} must be a relative path`);
  }
  if (value.split("/").includes("..")) {
    throw new SigilError("ERR_PATH_TRAVERSAL", `${field} ${shown} climbs out of its folder`);
  }
}

export function isInsideOrSame(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Resolve `rel` against `root` and check that the real path (symlinks followed) stays inside the
 * real `root`. A missing file resolves to undefined: whether that is an error is the caller's call.
 */
export async function resolveInside(root: string, rel: string, field: string): Promise<string | undefined> {
  assertRelativePath(rel, field);
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(resolve(realRoot, rel));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (!isInsideOrSame(realRoot, real) || real === realRoot) {
    throw new SigilError("ERR_PATH_TRAVERSAL", `${field} ${JSON.stringify(rel)} resolves outside ${root}`);
  }
  return real;
}

/** The real path of `path`, or of its deepest existing ancestor joined with the rest. */
export async function realpathLenient(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(await realpathLenient(parent), basename(absolute));
  }
}
