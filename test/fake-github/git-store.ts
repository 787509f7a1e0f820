import { createHash } from "node:crypto";

/** Git objects with git's own hashes, so a tree built here compares with a local `git` tree. */
export interface GitBlob {
  sha: string;
  content: Buffer;
}
export interface GitTreeEntry {
  /** One path component (a name inside its tree). */
  name: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
}
export interface GitTree {
  sha: string;
  entries: GitTreeEntry[];
}
export interface GitPerson {
  name: string;
  email: string;
  date: string;
}
export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
}
/** A flattened tree entry: the full path of a blob (or submodule) and its object. */
export interface FlatEntry {
  mode: string;
  type: "blob" | "commit";
  sha: string;
}
/** One entry of a create-tree request, with GitHub's semantics (`sha: null` deletes the path). */
export interface TreeEdit {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha?: string | null;
  content?: string;
}

export class GitError extends Error {}

function gitHash(kind: string, body: Buffer): string {
  return createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${kind} ${body.length}\0`), body]))
    .digest("hex");
}

/** Git orders tree entries by name, comparing a subtree's name as if it ended in "/". */
function gitOrder(a: GitTreeEntry, b: GitTreeEntry): number {
  const ka = a.type === "tree" ? `${a.name}/` : a.name;
  const kb = b.type === "tree" ? `${b.name}/` : b.name;
  return Buffer.compare(Buffer.from(ka), Buffer.from(kb));
}

function personLine(role: string, p: GitPerson): string {
  return `${role} ${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
}

export class GitStore {
  readonly blobs = new Map<string, GitBlob>();
  readonly trees = new Map<string, GitTree>();
  readonly commits = new Map<string, GitCommit>();

  putBlob(content: Buffer): GitBlob {
    const blob = { sha: gitHash("blob", content), content };
    this.blobs.set(blob.sha, blob);
    return blob;
  }

  /** Git writes a subtree's mode as "40000"; the API shows "040000". */
  putTree(entries: GitTreeEntry[]): GitTree {
    const sorted = [...entries].sort(gitOrder);
    const body = Buffer.concat(
      sorted.map((e) =>
        Buffer.concat([Buffer.from(`${e.mode.replace(/^0+/, "")} ${e.name}\0`), Buffer.from(e.sha, "hex")]),
      ),
    );
    const tree = { sha: gitHash("tree", body), entries: sorted };
    this.trees.set(tree.sha, tree);
    return tree;
  }

  putCommit(input: Omit<GitCommit, "sha">): GitCommit {
    if (!this.trees.has(input.tree)) throw new GitError(`tree ${input.tree} does not exist`);
    for (const p of input.parents) if (!this.commits.has(p)) throw new GitError(`parent ${p} does not exist`);
    const lines = [
      `tree ${input.tree}`,
      ...input.parents.map((p) => `parent ${p}`),
      personLine("author", input.author),
      personLine("committer", input.committer),
      "",
      input.message,
    ];
    const commit = { ...input, sha: gitHash("commit", Buffer.from(lines.join("\n"))) };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  /** Every blob under a tree, by full path. */
  flatten(treeSha: string, prefix = ""): Map<string, FlatEntry> {
    const tree = this.trees.get(treeSha);
    if (!tree) throw new GitError(`tree ${treeSha} does not exist`);
    const out = new Map<string, FlatEntry>();
    for (const e of tree.entries) {
      const path = `${prefix}${e.name}`;
      if (e.type === "tree") for (const [p, v] of this.flatten(e.sha, `${path}/`)) out.set(p, v);
      else out.set(path, { mode: e.mode, type: e.type, sha: e.sha });
    }
    return out;
  }

  /** Builds nested trees from a flat path map; returns the root tree. */
  buildTree(flat: Map<string, FlatEntry>): GitTree {
    const children = new Map<string, Map<string, FlatEntry>>();
    const entries: GitTreeEntry[] = [];
    for (const [path, entry] of flat) {
      const slash = path.indexOf("/");
      if (slash < 0) {
        entries.push({ name: path, ...entry });
        continue;
      }
      const dir = path.slice(0, slash);
      const sub = children.get(dir) ?? new Map<string, FlatEntry>();
      sub.set(path.slice(slash + 1), entry);
      children.set(dir, sub);
    }
    for (const [dir, sub] of children) {
      entries.push({ name: dir, mode: "040000", type: "tree", sha: this.buildTree(sub).sha });
    }
    return this.putTree(entries);
  }

  /** GitHub's create-tree: edits applied over `base_tree` (or an empty tree). */
  applyTreeEdits(baseTree: string | undefined, edits: TreeEdit[]): GitTree {
    const flat = baseTree ? this.flatten(baseTree) : new Map<string, FlatEntry>();
    for (const edit of edits) {
      const path = edit.path.replace(/^\/+|\/+$/g, "");
      if (edit.sha === null) {
        for (const p of [...flat.keys()]) if (p === path || p.startsWith(`${path}/`)) flat.delete(p);
        continue;
      }
      if (edit.content !== undefined) {
        const blob = this.putBlob(Buffer.from(edit.content, "utf8"));
        flat.set(path, { mode: edit.mode, type: "blob", sha: blob.sha });
      } else if (edit.sha) {
        if (edit.type === "tree") {
          for (const p of [...flat.keys()]) if (p === path || p.startsWith(`${path}/`)) flat.delete(p);
          for (const [p, v] of this.flatten(edit.sha, `${path}/`)) flat.set(p, v);
        } else {
          if (edit.type === "blob" && !this.blobs.has(edit.sha))
            throw new GitError(`blob ${edit.sha} does not exist`);
          flat.set(path, { mode: edit.mode, type: edit.type, sha: edit.sha });
        }
      } else {
        throw new GitError(`tree entry ${path} has neither content nor sha`);
      }
    }
    return this.buildTree(flat);
  }

  /** Whether `ancestor` is reachable from `descendant` through parents (a fast-forward check). */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const stack = [descendant];
    while (stack.length > 0) {
      const sha = stack.pop() as string;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  /** Every commit reachable from `sha` (itself included). */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next) || !this.commits.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  /**
   * What a PR compares, as GitHub's three-dot diff does: the commits reachable from `head` but
   * not from `base` (oldest first) and their merge base (null when the histories are unrelated).
   */
  compare(base: string, head: string): { mergeBase: string | null; commits: GitCommit[] } {
    const fromBase = this.ancestors(base);
    const only = [...this.ancestors(head)].filter((sha) => !fromBase.has(sha));
    const commits = only.map((sha) => this.commits.get(sha) as GitCommit);
    // Parents before children: a commit's depth below the merge base orders the list.
    const depth = new Map<string, number>();
    const depthOf = (sha: string): number => {
      if (fromBase.has(sha) || !this.commits.has(sha)) return 0;
      const known = depth.get(sha);
      if (known !== undefined) return known;
      const d = 1 + Math.max(0, ...(this.commits.get(sha)?.parents ?? []).map(depthOf));
      depth.set(sha, d);
      return d;
    };
    commits.sort((a, b) => depthOf(a.sha) - depthOf(b.sha));
    const oldest = commits[0];
    const mergeBase = oldest
      ? (oldest.parents.find((p) => fromBase.has(p)) ?? null)
      : fromBase.has(head)
        ? head
        : null;
    return { mergeBase, commits };
  }

  /** The blob at a path in a commit, if any. */
  fileAt(commitSha: string, path: string): (FlatEntry & { path: string }) | undefined {
    const commit = this.commits.get(commitSha);
    if (!commit) return undefined;
    const entry = this.flatten(commit.tree).get(path.replace(/^\/+/, ""));
    return entry ? { ...entry, path } : undefined;
  }
}
