import { resolve } from "node:path";
import { OwnerName, SigilError } from "../core/index.js";

/** Where a run's KB docs and gate requests go: a local git repository or a GitHub repository. */
export type KbTarget =
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "github"; readonly owner: string; readonly repo: string };

const GITHUB_PREFIX = "github:";

/**
 * `--kb`: `github:<owner>/<repo>` names a GitHub governance repository (request PRs, reviews);
 * anything else is a local git repository (resolved against `cwd`). A malformed `github:` value
 * is ERR_USAGE.
 */
export function parseKb(kb: string, cwd = process.cwd()): KbTarget {
  if (!kb.startsWith(GITHUB_PREFIX)) {
    if (kb.trim() === "")
      throw new SigilError("ERR_USAGE", "--kb: empty; give a directory or github:<owner>/<repo>");
    return { kind: "local", path: resolve(cwd, kb) };
  }
  const name = kb.slice(GITHUB_PREFIX.length);
  const parsed = OwnerName.safeParse(name);
  const [owner = "", repo = ""] = name.split("/");
  // A name of dots only would walk up the API's URL path.
  if (!parsed.success || /^\.+$/.test(owner) || /^\.+$/.test(repo))
    throw new SigilError("ERR_USAGE", `--kb ${JSON.stringify(kb)}: expected github:<owner>/<repo>`);
  return { kind: "github", owner, repo };
}

/** The KB a run is bound to, as recorded in the ledger: `github:<owner>/<repo>` or `local:<path>`. */
export function kbLabel(target: KbTarget): string {
  return target.kind === "github"
    ? `${GITHUB_PREFIX}${target.owner}/${target.repo}`.toLowerCase()
    : `local:${target.path}`;
}
