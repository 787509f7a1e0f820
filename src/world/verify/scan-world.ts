import { join } from "node:path";
import { readdirOrEmpty } from "../../core/index.js";
import { RECEIPTS_DIR, RESERVED_JOB_IDS, STAGING_PREFIX } from "../layout.js";
import { type Finding, finding } from "./findings.js";
import { walkTree } from "./walk.js";

/**
 * The index cache and migration backups (`<world>/.sigil/`): the verifier's own bookkeeping, not
 * artifacts, so it is not walked (docs/governed-jobs.md, "Verify").
 */
export const WORLD_CACHE_DIR = ".sigil";
/** Where `sigil run` writes by default, and where the verifier looks for its results. */
export const RUN_OUTPUTS_DIR = "outputs";

/** What the verifier visits, found in one pass over the world's top levels. */
export interface WorldScan {
  /** `<job_id>/<run_id>` of every run folder, sorted. */
  runPaths: string[];
  /** World-relative write prefixes of `sigil run` results under `outputs/`, sorted. */
  prefixes: string[];
  /** `<job_id>/.admit-*` folders: staging left by a proposal (gc removes abandoned ones). */
  staging: string[];
  /** Findings of the scan itself: links outside run folders and prefixes. */
  findings: Finding[];
}

const linkAt = (path: string) => finding("ERR_VERIFY_LINK", path, path, { path });
/** Links anywhere under a folder that holds no runs: each finding names the link's own path. */
const linksUnder = (dir: string, rel: string) => walkTree(dir).links.map((p) => linkAt(`${rel}/${p}`));

/** A folder holding a run's files (an index, a receipt or outputs/) is a write prefix. */
function findPrefixes(dir: string, rel: string, scan: WorldScan): void {
  const items = readdirOrEmpty(dir);
  const names = new Set(items.map((i) => i.name));
  if (
    names.has("outputs.json") ||
    names.has("receipt.json") ||
    items.some((i) => i.name === "outputs" && i.isDirectory())
  ) {
    scan.prefixes.push(rel);
    return;
  }
  for (const item of items) {
    const path = `${rel}/${item.name}`;
    if (item.isSymbolicLink()) scan.findings.push(linkAt(path));
    else if (item.isDirectory()) findPrefixes(join(dir, item.name), path, scan);
  }
}

/**
 * One pass over the world root and its job folders: run folders, `sigil run` prefixes, staging,
 * and every symbolic link met on the way (a world holds none). Run folders and prefixes are walked
 * by the checks that verify them, so nothing here is read twice.
 */
export function scanWorld(
  worldRoot: string,
  /** Called with the number of run folders found so far, after each job folder. */
  onRuns?: (found: number) => void,
): WorldScan {
  const scan: WorldScan = { runPaths: [], prefixes: [], staging: [], findings: [] };
  for (const top of readdirOrEmpty(worldRoot)) {
    const name = top.name;
    if (name === WORLD_CACHE_DIR) continue;
    if (top.isSymbolicLink()) scan.findings.push(linkAt(name));
    if (!top.isDirectory()) continue;
    const dir = join(worldRoot, name);
    if (name === RUN_OUTPUTS_DIR) findPrefixes(dir, name, scan);
    else if (name === RECEIPTS_DIR || name.startsWith(".")) scan.findings.push(...linksUnder(dir, name));
    else if (!(RESERVED_JOB_IDS as readonly string[]).includes(name)) {
      for (const run of readdirOrEmpty(dir)) {
        const path = `${name}/${run.name}`;
        if (run.isSymbolicLink()) scan.findings.push(linkAt(path));
        else if (!run.isDirectory()) continue;
        else if (run.name.startsWith(".")) {
          if (run.name.startsWith(STAGING_PREFIX)) scan.staging.push(path);
          scan.findings.push(...linksUnder(join(dir, run.name), path));
        } else scan.runPaths.push(path);
      }
      onRuns?.(scan.runPaths.length);
    }
  }
  scan.runPaths.sort();
  scan.prefixes.sort();
  scan.staging.sort();
  return scan;
}
