import { execa } from "execa";
import { SIGIL_CONFIG_PATH, type SigilConfig } from "../../core/index.js";
import { loadSigilConfig, parseSigilConfig } from "../config.js";

/**
 * The sovereign policy is read from the default branch only, never from a working tree or a
 * request branch that could edit it: in a git repository, `.github/sigil.yml` at
 * `origin/HEAD`'s branch, else `main`, else `master`; outside git, the file on disk.
 */
export async function loadDefaultBranchConfig(root: string): Promise<SigilConfig> {
  const git = (args: string[]) => execa("git", ["-C", root, ...args], { reject: false, input: "" });
  const inside = await git(["rev-parse", "--is-inside-work-tree"]);
  if (inside.exitCode !== 0) return (await loadSigilConfig(root)).config;
  const origin = await git(["symbolic-ref", "--short", "refs/remotes/origin/HEAD"]);
  const candidates = origin.exitCode === 0 ? [origin.stdout.trim()] : ["main", "master"];
  for (const branch of candidates) {
    const exists = await git(["rev-parse", "--verify", "-q", `${branch}^{commit}`]);
    if (exists.exitCode !== 0) continue;
    const shown = await git(["show", `${branch}:${SIGIL_CONFIG_PATH}`]);
    return parseSigilConfig(shown.exitCode === 0 ? shown.stdout : "", `${branch}:${SIGIL_CONFIG_PATH}`);
  }
  return (await loadSigilConfig(root)).config;
}
