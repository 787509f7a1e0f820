import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { SigilError } from "../../core/index.js";
import { checkUnit, compare, type HeadEntry, type PlannedWrite, pathsToLookUp, planUnit } from "./plan.js";
import type { GovernancePublisher, PublishResult, PublishUnit } from "./port.js";

/** Who the publisher's commits are by, unless the caller says otherwise. */
export const DEFAULT_PUBLISH_AUTHOR = { name: "SIGIL.ZERO publisher", email: "publisher@sigil-zero.invalid" };
/** Head re-reads before giving up when other publishers keep moving the branch. */
export const DEFAULT_LOCAL_ATTEMPTS = 20;

export interface LocalGitPublisherOptions {
  /** An existing git repository, bare or not (`git init` it first). */
  readonly repo: string;
  /** The branch to commit on; default the repository's current branch (HEAD's, born or not). */
  readonly branch?: string;
  readonly author?: { readonly name: string; readonly email: string };
  readonly maxAttempts?: number;
}

interface GitCall {
  input?: string | Uint8Array;
  env?: Record<string, string>;
}

/**
 * The local git backend: plumbing only (hash-object, read-tree/update-index/write-tree on a
 * temporary index, commit-tree, update-ref with the old value). The repository's own index,
 * working tree and HEAD are never touched; when the branch is checked out, its files appear
 * after `git restore --source=HEAD --staged --worktree -- artifacts` (docs/governance.md).
 */
export async function createLocalGitPublisher(
  options: LocalGitPublisherOptions,
): Promise<GovernancePublisher> {
  const repo = resolve(options.repo);
  const author = options.author ?? DEFAULT_PUBLISH_AUTHOR;
  const maxAttempts = options.maxAttempts ?? DEFAULT_LOCAL_ATTEMPTS;
  const baseEnv = gitEnv(author);

  const run = async (args: readonly string[], call: GitCall = {}) =>
    execa("git", ["-C", repo, ...args], {
      env: { ...baseEnv, ...call.env },
      extendEnv: false,
      input: call.input ?? "",
      reject: false,
      encoding: "buffer",
      stripFinalNewline: false,
    });
  const text = async (args: readonly string[], call?: GitCall) => {
    const result = await run(args, call);
    if (result.exitCode !== 0) throw remote(args, Buffer.from(result.stderr).toString("utf8"));
    return Buffer.from(result.stdout).toString("utf8");
  };

  await assertRepositoryRoot(run, repo, options.repo);
  const branch = options.branch ?? (await currentBranch(run, options.repo));
  const format = await run(["check-ref-format", `refs/heads/${branch}`]);
  if (format.exitCode !== 0)
    throw new SigilError("ERR_USAGE", `--branch ${JSON.stringify(branch)} is not a branch name`);
  const ref = `refs/heads/${branch}`;

  const head = async (): Promise<string | null> => {
    const result = await run(["rev-parse", "-q", "--verify", `${ref}^{commit}`]);
    return result.exitCode === 0 ? Buffer.from(result.stdout).toString("utf8").trim() : null;
  };
  const lsTree = async (commit: string, paths: readonly string[]) =>
    parseLsTree(await text(["ls-tree", "-z", "--full-tree", commit, "--", ...paths]));
  const readBlob = async (sha: string) => {
    const result = await run(["cat-file", "blob", sha]);
    if (result.exitCode !== 0) throw remote(["cat-file"], Buffer.from(result.stderr).toString("utf8"));
    return new Uint8Array(result.stdout);
  };

  const commitWrites = async (old: string | null, writes: readonly PlannedWrite[], message: string) => {
    const scratch = await mkdtemp(join(tmpdir(), "sigil-publish-"));
    try {
      // Blobs through files and one --stdin-paths call; --no-filters keeps the bytes exact.
      await Promise.all(writes.map((w, i) => writeFile(join(scratch, `blob-${i}`), w.bytes)));
      const paths = writes.map((_, i) => join(scratch, `blob-${i}`)).join("\n");
      const ids = (
        await text(["hash-object", "-w", "--no-filters", "--stdin-paths"], { input: `${paths}\n` })
      )
        .trim()
        .split("\n");
      writes.forEach((w, i) => {
        if (ids[i] !== w.sha)
          throw remote(["hash-object"], `blob of ${w.path} is ${ids[i]}, expected ${w.sha}`);
      });
      const env = { GIT_INDEX_FILE: join(scratch, "index") };
      await text(old ? ["read-tree", old] : ["read-tree", "--empty"], { env });
      const info = writes.map((w) => `100644 ${w.sha}\t${w.path}\0`).join("");
      await text(["update-index", "-z", "--add", "--index-info"], { env, input: info });
      const tree = (await text(["write-tree"], { env })).trim();
      const parents = old ? ["-p", old] : [];
      return (await text(["commit-tree", tree, ...parents, "-F", "-"], { input: message })).trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };

  const publish = async (unit: PublishUnit, opts: { signal?: AbortSignal } = {}): Promise<PublishResult> => {
    checkUnit(unit);
    const lookUp = pathsToLookUp(unit.files);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      opts.signal?.throwIfAborted();
      const old = await head();
      const entries = old ? await lsTree(old, lookUp) : new Map<string, HeadEntry>();
      const plan = await planUnit(unit, { entries, readBlob });
      if (plan.writes.length === 0) return { commit: null, written: [], unchanged: plan.unchanged };
      const commit = await commitWrites(old, plan.writes, unit.message);
      opts.signal?.throwIfAborted();
      // Compare-and-swap: git refuses when the ref no longer holds `old` (empty: must not exist).
      const update = await run(["update-ref", "-m", firstLine(unit.message), ref, commit, old ?? ""]);
      if (update.exitCode === 0) {
        return { commit, written: plan.writes.map((w) => w.path), unchanged: plan.unchanged };
      }
      const stderr = Buffer.from(update.stderr).toString("utf8");
      const moved = (await head()) !== old || /lock/i.test(stderr);
      if (!moved) throw remote(["update-ref"], stderr);
    }
    throw new SigilError("ERR_PUBLISH_REMOTE", `${ref} kept moving: gave up after ${maxAttempts} attempts`, {
      attempts: maxAttempts,
    });
  };

  return {
    backend: "local-git",
    target: `${options.repo}@${branch}`,
    publish,
    async read(path) {
      const commit = await head();
      if (!commit) return null;
      const entry = (await lsTree(commit, [path])).get(path);
      return entry?.type === "blob" ? readBlob(entry.sha) : null;
    },
    async list(prefix) {
      const commit = await head();
      if (!commit) return [];
      const folder = prefix.replace(/\/+$/, "");
      const args = [
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "--full-tree",
        commit,
        ...(folder ? ["--", folder] : []),
      ];
      return (await text(args)).split("\0").filter(Boolean).sort(compare);
    },
  };
}

/** `repo` itself is a repository (not a folder inside one), in sha1 object format. */
async function assertRepositoryRoot(run: Run, repo: string, given: string): Promise<void> {
  const probe = await run([
    "rev-parse",
    "--is-bare-repository",
    "--absolute-git-dir",
    "--show-object-format",
  ]);
  const [bare, gitDir, format] = Buffer.from(probe.stdout).toString("utf8").trim().split("\n");
  if (probe.exitCode !== 0 || !gitDir)
    throw new SigilError("ERR_USAGE", `--to ${given} is not a git repository`);
  let root = gitDir;
  if (bare !== "true") {
    const top = await run(["rev-parse", "--show-toplevel"]);
    root = top.exitCode === 0 ? Buffer.from(top.stdout).toString("utf8").trim() : "";
  }
  const same =
    root !== "" && (await realpath(root).catch(() => "")) === (await realpath(repo).catch(() => null));
  if (!same) {
    throw new SigilError(
      "ERR_USAGE",
      `--to ${given} is not the root of a git repository (${root || "inside a .git folder"} is)`,
    );
  }
  if (format !== "sha1")
    throw new SigilError("ERR_USAGE", `--to ${given}: only sha1 repositories are supported`);
}

type Run = (args: readonly string[]) => Promise<{ exitCode?: number; stdout: Uint8Array }>;

async function currentBranch(run: Run, given: string): Promise<string> {
  const result = await run(["symbolic-ref", "--short", "-q", "HEAD"]);
  const name = Buffer.from(result.stdout).toString("utf8").trim();
  if (result.exitCode !== 0 || !name) {
    throw new SigilError("ERR_USAGE", `--to ${given} has a detached HEAD: pass --branch`);
  }
  return name;
}

/** `<mode> SP <type> SP <sha> TAB <path>` records, NUL-terminated. */
function parseLsTree(output: string): Map<string, HeadEntry> {
  const entries = new Map<string, HeadEntry>();
  for (const record of output.split("\0")) {
    const match = /^(\d{6}) (blob|tree|commit) ([0-9a-f]{40})\t(.+)$/s.exec(record);
    if (match)
      entries.set(match[4] as string, {
        mode: match[1] as string,
        type: match[2] as HeadEntry["type"],
        sha: match[3] as string,
      });
  }
  return entries;
}

/**
 * The child's whole environment: the caller's minus every GIT_* variable (a hook's GIT_DIR or
 * GIT_INDEX_FILE would redirect the plumbing), plus a fixed identity and literal pathspecs.
 */
function gitEnv(author: { name: string; email: string }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("GIT_")) env[key] = value;
  }
  return {
    ...env,
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_LITERAL_PATHSPECS: "1",
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() || "sigil publish";
}

function remote(args: readonly string[], stderr: string): SigilError {
  return new SigilError("ERR_PUBLISH_REMOTE", `git ${args[0]} failed: ${stderr.trim().slice(0, 500)}`);
}
