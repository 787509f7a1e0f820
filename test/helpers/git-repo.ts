import { execa } from "execa";
import { tempDir } from "./temp.js";

/** Runs git in `cwd` with a clean GIT_* environment and a fixed identity; returns stdout. */
export async function git(cwd: string, args: readonly string[], input?: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("GIT_")) env[key] = value;
  }
  const result = await execa("git", ["-C", cwd, ...args], {
    env: {
      ...env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
    extendEnv: false,
    input: input ?? "",
  });
  return result.stdout;
}

/** A fresh `git init` repository (branch `main`, unborn) removed at the end of the scope. */
export async function tempGitRepo(
  options: { bare?: boolean } = {},
): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir("sigil-gov-");
  await git(dir.path, ["init", "-q", "-b", "main", ...(options.bare ? ["--bare"] : [])]);
  return dir;
}

/** path → blob sha of every file at `rev`, or an empty map when `rev` does not exist. */
export async function gitTree(repo: string, rev: string): Promise<Map<string, string>> {
  const out = await git(repo, ["ls-tree", "-r", "-z", "--full-tree", rev]).catch(() => "");
  const tree = new Map<string, string>();
  for (const record of out.split("\0").filter(Boolean)) {
    const [meta, path] = record.split("\t") as [string, string];
    tree.set(path, meta.split(" ")[2] as string);
  }
  return tree;
}
