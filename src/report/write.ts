import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { SigilError, writeFileAtomic } from "../core/index.js";
import { isInsideOrSame, realpathLenient } from "../world/index.js";

/** Marks a folder as a report site, so a later report may replace it (and nothing else). */
export const SITE_MARKER = ".sigil-report";

/** Which form `--out` asks for: a `.html` file is one self-contained page, anything else a folder. */
export function reportFormatOf(out: string): "file" | "site" {
  return /\.html?$/i.test(out) ? "file" : "site";
}

/** A report never goes inside the World it reports on (the verifier would see it), nor around it. */
export async function assertOutsideWorld(worldRoot: string, out: string): Promise<void> {
  const [world, target] = [await realpathLenient(worldRoot), await realpathLenient(out)];
  if (isInsideOrSame(world, target))
    throw new SigilError(
      "ERR_REPORT_OUT",
      `${out} is inside the world ${worldRoot}: write the report elsewhere`,
    );
  if (isInsideOrSame(target, world))
    throw new SigilError("ERR_REPORT_OUT", `${out} holds the world ${worldRoot}: write the report elsewhere`);
}

const describe = (error: unknown) => (error as Error).message.slice(0, 300);

/** One page, written atomically (temp file, fsync, rename): readers see the old file or the new. */
export async function writeReportFile(path: string, text: string): Promise<void> {
  if (existsSync(path) && lstatSync(path).isDirectory())
    throw new SigilError(
      "ERR_REPORT_OUT",
      `${path} is a folder: give a file name ending in .html, or a folder without .html`,
    );
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new SigilError("ERR_REPORT_OUT", `cannot write ${path}: ${describe(error)}`);
  }
}

/**
 * A site, written whole into a temp folder beside `dir` and renamed into place; an earlier report
 * there is swapped out and removed. A folder that is not a report (no marker, not empty) is refused.
 */
export function writeReportSite(dir: string, files: ReadonlyMap<string, string>): void {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!lstatSync(target).isDirectory())
      throw new SigilError(
        "ERR_REPORT_OUT",
        `${dir} is a file: give a folder, or a file name ending in .html`,
      );
    const entries = readdirSync(target);
    if (entries.length > 0 && !entries.includes(SITE_MARKER))
      throw new SigilError(
        "ERR_REPORT_OUT",
        `${dir} is not empty and holds no earlier report: refusing to replace it`,
      );
  }
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  try {
    mkdirSync(temp, { recursive: true });
    const made = new Set<string>();
    for (const [rel, text] of files) {
      const folder = dirname(join(temp, rel));
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      writeFileSync(join(temp, rel), text);
    }
    writeFileSync(join(temp, SITE_MARKER), "written by sigil report; a later report replaces this folder\n");
    if (existsSync(target)) {
      const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    if (error instanceof SigilError) throw error;
    throw new SigilError("ERR_REPORT_OUT", `cannot write ${dir}: ${describe(error)}`);
  }
}
