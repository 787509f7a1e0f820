import type { Octokit } from "@octokit/rest";
import { SigilError } from "../../core/index.js";
import { checkUnit, compare, type HeadEntry, type PlannedWrite, pathsToLookUp, planUnit } from "./plan.js";
import type { GovernancePublisher, PublishResult, PublishUnit } from "./port.js";

/** The slice of Octokit the publisher uses: the faces pass the one factory's instance. */
export type GitDataOctokit = { readonly rest: Pick<Octokit["rest"], "git" | "repos"> };

/** Ref re-reads after a "not a fast forward" refusal before giving up. */
export const DEFAULT_GITHUB_ATTEMPTS = 8;
/** Text files up to this size travel inline in the tree request; larger ones as blobs. */
export const INLINE_CONTENT_MAX_BYTES = 512 * 1024;

export interface GitHubPublisherOptions {
  /** From `createOctokit` (throttling and plugin-retry retry rate limits and 5xx per request). */
  readonly octokit: GitDataOctokit;
  readonly owner: string;
  readonly repo: string;
  /** Default: the repository's default branch (one `repos/get` when the publisher is made). */
  readonly branch?: string;
  /** Default: none, so GitHub records (and signs for Apps) the token's own identity. */
  readonly author?: { readonly name: string; readonly email: string };
  readonly maxAttempts?: number;
}

interface Head {
  readonly commit: string;
  readonly tree: string;
  readonly entries: Map<string, HeadEntry>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The GitHub backend over the Git Data API. One publish = read the ref, read the head tree
 * (recursive, one request), one tree with inline `content` for text (blobs only for binary), one
 * commit, one fast-forward `update-ref` without force: five requests for any number of text files.
 */
export async function createGitHubPublisher(options: GitHubPublisherOptions): Promise<GovernancePublisher> {
  const { octokit, owner, repo } = options;
  const maxAttempts = options.maxAttempts ?? DEFAULT_GITHUB_ATTEMPTS;
  const branch =
    options.branch ??
    (await githubCall("repos/get", () => octokit.rest.repos.get({ owner, repo }))).data.default_branch;
  const refName = `heads/${branch}`;

  const headCommit = async (): Promise<string | null> => {
    try {
      return (await octokit.rest.git.getRef({ owner, repo, ref: refName })).data.object.sha;
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw remote("git/get-ref", error);
    }
  };

  const readHead = async (commit: string, paths: readonly string[]): Promise<Head> => {
    const { data } = await githubCall("git/get-tree", () =>
      octokit.rest.git.getTree({ owner, repo, tree_sha: commit, recursive: "1" }),
    );
    if (!data.truncated) return { commit, tree: data.sha, entries: toEntries(data.tree, "") };
    return { commit, tree: data.sha, entries: await walk(data.sha, paths) };
  };

  /** A head too big for one recursive read: descend only into the folders the unit touches. */
  const walk = async (root: string, paths: readonly string[]): Promise<Map<string, HeadEntry>> => {
    const wanted = new Set(paths);
    const found = new Map<string, HeadEntry>();
    const queue: Array<[string, string]> = [[root, ""]];
    while (queue.length > 0) {
      const [sha, prefix] = queue.shift() as [string, string];
      const { data } = await githubCall("git/get-tree", () =>
        octokit.rest.git.getTree({ owner, repo, tree_sha: sha }),
      );
      for (const [path, entry] of toEntries(data.tree, prefix)) {
        if (!wanted.has(path)) continue;
        found.set(path, entry);
        if (entry.type === "tree") queue.push([entry.sha, `${path}/`]);
      }
    }
    return found;
  };

  const readBlob = async (sha: string): Promise<Uint8Array> => {
    const { data } = await githubCall("git/get-blob", () =>
      octokit.rest.git.getBlob({ owner, repo, file_sha: sha }),
    );
    return new Uint8Array(Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8"));
  };

  const treeEntry = async (write: PlannedWrite) => {
    const content = inlineText(write.bytes);
    if (content !== null)
      return { path: write.path, mode: "100644" as const, type: "blob" as const, content };
    const { data } = await githubCall("git/create-blob", () =>
      octokit.rest.git.createBlob({
        owner,
        repo,
        content: Buffer.from(write.bytes).toString("base64"),
        encoding: "base64",
      }),
    );
    if (data.sha !== write.sha)
      throw new SigilError("ERR_PUBLISH_REMOTE", `blob of ${write.path} came back as ${data.sha}`);
    return { path: write.path, mode: "100644" as const, type: "blob" as const, sha: write.sha };
  };

  /** true: the ref now points at `commit`; false: the branch moved (or appeared) meanwhile. */
  const advance = async (old: string | null, commit: string): Promise<boolean> => {
    try {
      if (old === null)
        await octokit.rest.git.createRef({ owner, repo, ref: `refs/${refName}`, sha: commit });
      else await octokit.rest.git.updateRef({ owner, repo, ref: refName, sha: commit, force: false });
      return true;
    } catch (error) {
      if (httpStatusOf(error) === 422 && /fast forward|already exists/i.test(messageOf(error))) return false;
      throw remote(old === null ? "git/create-ref" : "git/update-ref", error);
    }
  };

  const publish = async (unit: PublishUnit, opts: { signal?: AbortSignal } = {}): Promise<PublishResult> => {
    checkUnit(unit);
    const lookUp = pathsToLookUp(unit.files);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      opts.signal?.throwIfAborted();
      const old = await headCommit();
      const head = old ? await readHead(old, lookUp) : null;
      const plan = await planUnit(unit, { entries: head?.entries ?? new Map(), readBlob });
      if (plan.writes.length === 0) return { commit: null, written: [], unchanged: plan.unchanged };
      const tree: Array<Awaited<ReturnType<typeof treeEntry>>> = [];
      for (const write of plan.writes) tree.push(await treeEntry(write));
      const created = await githubCall("git/create-tree", () =>
        octokit.rest.git.createTree({ owner, repo, tree, ...(head ? { base_tree: head.tree } : {}) }),
      );
      const commit = await githubCall("git/create-commit", () =>
        octokit.rest.git.createCommit({
          owner,
          repo,
          message: unit.message,
          tree: created.data.sha,
          parents: old ? [old] : [],
          ...(options.author ? { author: { ...options.author } } : {}),
        }),
      );
      opts.signal?.throwIfAborted();
      if (await advance(old, commit.data.sha)) {
        return {
          commit: commit.data.sha,
          written: plan.writes.map((w) => w.path),
          unchanged: plan.unchanged,
        };
      }
    }
    throw new SigilError(
      "ERR_PUBLISH_REMOTE",
      `${refName} kept moving: gave up after ${maxAttempts} attempts`,
      {
        attempts: maxAttempts,
      },
    );
  };

  return {
    backend: "github",
    target: `github:${owner}/${repo}@${branch}`,
    publish,
    async read(path) {
      const old = await headCommit();
      if (!old) return null;
      const entry = (await readHead(old, pathsToLookUp([{ path, bytes: new Uint8Array() }]))).entries.get(
        path,
      );
      return entry?.type === "blob" ? readBlob(entry.sha) : null;
    },
    async list(prefix) {
      const old = await headCommit();
      if (!old) return [];
      const folder = prefix.replace(/\/+$/, "");
      const { data } = await githubCall("git/get-tree", () =>
        octokit.rest.git.getTree({ owner, repo, tree_sha: old, recursive: "1" }),
      );
      if (data.truncated)
        throw new SigilError("ERR_PUBLISH_REMOTE", "head tree too large to list in one read");
      return [...toEntries(data.tree, "")]
        .filter(([path, e]) => e.type === "blob" && (!folder || path.startsWith(`${folder}/`)))
        .map(([path]) => path)
        .sort(compare);
    },
  };
}

/** The bytes as a string when they survive JSON as UTF-8 text exactly; null → send a blob. */
function inlineText(bytes: Uint8Array): string | null {
  if (bytes.length > INLINE_CONTENT_MAX_BYTES || bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

type TreeItem = { path?: string; mode?: string; type?: string; sha?: string | null };

function toEntries(items: readonly TreeItem[], prefix: string): Map<string, HeadEntry> {
  const entries = new Map<string, HeadEntry>();
  for (const item of items) {
    if (!item.path || !item.sha || !item.mode) continue;
    const type = item.type === "tree" || item.type === "commit" ? item.type : "blob";
    entries.set(`${prefix}${item.path}`, { type, mode: item.mode, sha: item.sha });
  }
  return entries;
}

/** A GitHub write of the governance repository: a failure is ERR_PUBLISH_REMOTE naming the operation and status. */
export async function githubCall<T>(operation: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw remote(operation, error);
  }
}

function remote(operation: string, error: unknown): SigilError {
  if (error instanceof SigilError) return error;
  const status = httpStatusOf(error);
  return new SigilError(
    "ERR_PUBLISH_REMOTE",
    `${operation} answered ${status ?? "no response"}: ${messageOf(error).slice(0, 300)}`,
    {
      operation,
      ...(status ? { status } : {}),
    },
  );
}

/** The HTTP status of a failed Octokit request, when it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
