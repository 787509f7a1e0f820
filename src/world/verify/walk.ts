import { join } from "node:path";
import { readdirOrEmpty } from "../../core/index.js";

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
      walkTree(join(dir, item.name), path, into);
    } else into.files.push(path);
  }
  return into;
}
