import { readdirOrEmpty } from "../../core/index.js";

/**
 * `dir/rel` without path.join, whose normalisation allocates ~2 KB a call: the verifier builds a
 * dozen paths per run of a World of tens of thousands. Only for a normalised `dir` (a join result,
 * or a path built here) and a `rel` that is one name or a recorded path already checked to be
 * plain and relative: the string then names the same file join's would.
 */
export function childPath(dir: string, rel: string): string {
  return `${dir}/${rel}`;
}

/** What one walk of a directory finds: regular files and links, as `/`-separated relative paths. */
export interface Walked {
  files: string[];
  /** Directories, including empty ones. */
  dirs: string[];
  /** Symbolic links (never followed). */
  links: string[];
}

/**
 * Walk `dir` once without following links (readdir's entry types are lstat's): the verifier
 * lists inputs, outputs and links from this one pass instead of a readdir per question.
 */
export function walkTree(dir: string, rel = "", into: Walked = { files: [], dirs: [], links: [] }): Walked {
  for (const item of readdirOrEmpty(dir)) {
    const path = rel ? `${rel}/${item.name}` : item.name;
    if (item.isSymbolicLink()) into.links.push(path);
    else if (item.isDirectory()) {
      into.dirs.push(path);
      walkTree(childPath(dir, item.name), path, into);
    } else into.files.push(path);
  }
  return into;
}
