import { GraphQLError } from "graphql";
import { GitError, type GitTreeEntry, type TreeEdit } from "./git-store.js";
import type { Actor, FakeState, PullState, RepoState } from "./state.js";

/**
 * Resolvers of the GraphQL fields the App uses, over the same git store and PR state as the REST
 * side. Plain objects: graphql-js reads a field as a property, or calls it with the field's
 * arguments; `__typename` picks the type of an interface or union. The schema shapes the answer.
 */

const ZERO = "0".repeat(40);
type Args = Record<string, unknown>;

/** A GitHub-shaped field error: `type` is what GitHub's errors carry (NOT_FOUND, STALE_DATA…). */
export function fieldError(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type } });
}

const encodeId = (kind: string, ...parts: Array<string | number>) =>
  `${kind}_${Buffer.from(parts.join(":")).toString("base64url")}`;
const decodeId = (id: unknown, kind: string): string[] | undefined => {
  if (typeof id !== "string" || !id.startsWith(`${kind}_`)) return undefined;
  return Buffer.from(id.slice(kind.length + 1), "base64url")
    .toString("utf8")
    .split(":");
};

export interface ResolverContext {
  state: FakeState;
  actor: Actor;
}

function repoById(ctx: ResolverContext, id: unknown): RepoState {
  const [owner, name] = decodeId(id, "R") ?? [];
  const repo = owner && name ? ctx.state.repo(owner, name) : undefined;
  if (!repo)
    throw fieldError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);
  return repo;
}

function blobNode(repo: RepoState, sha: string) {
  const blob = repo.git.blobs.get(sha);
  const content = blob?.content ?? Buffer.alloc(0);
  const binary = content.includes(0);
  return {
    __typename: "Blob",
    id: encodeId("B", repo.fullName, sha),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    byteSize: content.length,
    isBinary: binary,
    isTruncated: false,
    text: binary ? null : content.toString("utf8"),
  };
}

function entryNode(repo: RepoState, entry: GitTreeEntry, dir: string) {
  const path = dir ? `${dir}/${entry.name}` : entry.name;
  return {
    name: entry.name,
    path,
    type: entry.type,
    mode: Number.parseInt(entry.mode, 8),
    oid: entry.sha,
    object: () =>
      entry.type === "tree"
        ? treeNode(repo, entry.sha, path)
        : entry.type === "blob"
          ? blobNode(repo, entry.sha)
          : null,
  };
}

function treeNode(repo: RepoState, sha: string, dir = "") {
  return {
    __typename: "Tree",
    id: encodeId("T", repo.fullName, sha),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    entries: () => (repo.git.trees.get(sha)?.entries ?? []).map((e) => entryNode(repo, e, dir)),
  };
}

function commitNode(repo: RepoState, sha: string) {
  const commit = repo.git.commits.get(sha);
  if (!commit) return null;
  return {
    __typename: "Commit",
    id: encodeId("C", repo.fullName, sha),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    message: commit.message,
    parents: ({ first }: Args) => {
      const nodes = commit.parents.slice(0, typeof first === "number" ? first : 100);
      return { totalCount: commit.parents.length, nodes: nodes.map((p) => commitNode(repo, p)) };
    },
    tree: () => treeNode(repo, commit.tree),
    file: ({ path }: Args) => {
      const parts = String(path)
        .replace(/^\/+|\/+$/g, "")
        .split("/");
      let tree = repo.git.trees.get(commit.tree);
      let dir = "";
      for (const [i, name] of parts.entries()) {
        const entry = tree?.entries.find((e) => e.name === name);
        if (!entry) return null;
        if (i === parts.length - 1) return entryNode(repo, entry, dir);
        if (entry.type !== "tree") return null;
        dir = dir ? `${dir}/${name}` : name;
        tree = repo.git.trees.get(entry.sha);
      }
      return null;
    },
  };
}

function refNode(repo: RepoState, name: string) {
  const sha = repo.refs.get(name);
  if (!sha) return null;
  const short = name.replace(/^refs\/(heads|tags)\//, "");
  return {
    id: encodeId("REF", repo.owner, repo.name, name),
    name: short,
    prefix: name.slice(0, name.length - short.length),
    target: () => commitNode(repo, sha),
  };
}

const PR_STATE = (p: PullState) => (p.merged ? "MERGED" : p.state === "open" ? "OPEN" : "CLOSED");

function pullNode(repo: RepoState, pull: PullState) {
  return {
    __typename: "PullRequest",
    id: encodeId("PR", repo.owner, repo.name, pull.number),
    number: pull.number,
    title: pull.title,
    body: pull.body ?? "",
    state: PR_STATE(pull),
    headRefName: pull.head,
    baseRefName: pull.base,
    headRefOid: repo.refs.get(`refs/heads/${pull.head}`) ?? ZERO,
    author: { __typename: pull.user.type, login: pull.user.login },
    createdAt: pull.createdAt,
  };
}

function repositoryNode(repo: RepoState) {
  return {
    __typename: "Repository",
    id: encodeId("R", repo.owner, repo.name),
    name: repo.name,
    nameWithOwner: repo.fullName,
    ref: ({ qualifiedName }: Args) => {
      const q = String(qualifiedName);
      return refNode(repo, q.startsWith("refs/") ? q : `refs/heads/${q}`);
    },
    pullRequests: (args: Args) => {
      const states = Array.isArray(args.states) ? (args.states as string[]) : undefined;
      const order = args.orderBy as { field?: string; direction?: string } | undefined;
      const nodes = repo.pulls
        .filter((p) => (args.headRefName ? p.head === args.headRefName : true))
        .filter((p) => (args.baseRefName ? p.base === args.baseRefName : true))
        .filter((p) => !states || states.includes(PR_STATE(p)))
        .sort((a, b) => (order?.direction === "DESC" ? b.number - a.number : a.number - b.number))
        .slice(0, typeof args.first === "number" ? args.first : 100);
      return {
        totalCount: nodes.length,
        nodes: nodes.map((p) => pullNode(repo, p)),
        pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null, startCursor: null },
      };
    },
  };
}

function findPull(ctx: ResolverContext, id: unknown): { repo: RepoState; pull: PullState } {
  const [owner, name, number] = decodeId(id, "PR") ?? [];
  const repo = owner && name ? ctx.state.repo(owner, name) : undefined;
  const pull = repo?.pulls.find((p) => p.number === Number(number));
  if (!repo || !pull)
    throw fieldError("NOT_FOUND", `Could not resolve to a PullRequest with the global id of '${String(id)}'`);
  return { repo, pull };
}

/** Query fields. */
export const queryRoot = {
  repository: ({ owner, name }: Args, ctx: ResolverContext) => {
    const repo = ctx.state.repo(String(owner), String(name));
    if (!repo)
      throw fieldError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
    return repositoryNode(repo);
  },
};

/** Mutation fields (GitHub runs them in order; a failed one does not stop the next). */
export const mutationRoot = {
  updateRefs: ({ input }: Args, ctx: ResolverContext) => {
    const i = input as {
      repositoryId: string;
      refUpdates: Array<Record<string, unknown>>;
      clientMutationId?: string;
    };
    const repo = repoById(ctx, i.repositoryId);
    // All or nothing: every update is checked before any is applied.
    const planned = i.refUpdates.map((u) => {
      const name = String(u.name);
      const after = String(u.afterOid);
      const current = repo.refs.get(name);
      if (u.beforeOid !== undefined && u.beforeOid !== null && (current ?? ZERO) !== u.beforeOid)
        throw fieldError("STALE_DATA", `${name} was expected at ${u.beforeOid}, it is at ${current ?? ZERO}`);
      if (after !== ZERO) {
        if (!repo.git.commits.has(after)) throw fieldError("UNPROCESSABLE", `${after} is not a commit`);
        if (current && u.force !== true && !repo.git.isAncestor(current, after))
          throw fieldError("UNPROCESSABLE", `${name}: not a fast forward`);
      }
      return { name, after };
    });
    for (const { name, after } of planned) {
      if (after === ZERO) repo.refs.delete(name);
      else repo.refs.set(name, after);
    }
    return { clientMutationId: i.clientMutationId ?? null };
  },

  createCommitOnBranch: ({ input }: Args, ctx: ResolverContext) => {
    const i = input as {
      branch: { repositoryNameWithOwner?: string; branchName?: string; id?: string };
      expectedHeadOid: string;
      message: { headline: string; body?: string | null };
      fileChanges?: {
        additions?: Array<{ path: string; contents: string }>;
        deletions?: Array<{ path: string }>;
      };
      clientMutationId?: string;
    };
    const [owner, name] = (i.branch.repositoryNameWithOwner ?? "").split("/");
    const repo = owner && name ? ctx.state.repo(owner, name) : undefined;
    const ref = `refs/heads/${i.branch.branchName ?? ""}`;
    const head = repo?.refs.get(ref);
    if (!repo || !head) throw fieldError("NOT_FOUND", `Could not resolve to a branch ${i.branch.branchName}`);
    if (head !== i.expectedHeadOid)
      throw fieldError(
        "STALE_DATA",
        `Expected branch to point to "${i.expectedHeadOid}" but it did not. Pull and try again.`,
      );
    const edits: TreeEdit[] = [
      ...(i.fileChanges?.deletions ?? []).map((d) => ({
        path: d.path,
        mode: "100644",
        type: "blob" as const,
        sha: null,
      })),
      ...(i.fileChanges?.additions ?? []).map((a) => ({
        path: a.path,
        mode: "100644",
        type: "blob" as const,
        sha: repo.git.putBlob(Buffer.from(a.contents, "base64")).sha,
      })),
    ];
    try {
      const parent = repo.git.commits.get(head);
      const tree = repo.git.applyTreeEdits(parent?.tree, edits);
      const now = ctx.state.now();
      const commit = repo.git.putCommit({
        tree: tree.sha,
        parents: [head],
        message: i.message.body ? `${i.message.headline}\n\n${i.message.body}` : i.message.headline,
        author: {
          name: ctx.actor.login,
          email: `${ctx.actor.id}+${ctx.actor.login}@users.noreply.github.com`,
          date: now,
        },
        committer: { name: "GitHub", email: "noreply@github.com", date: now },
      });
      repo.refs.set(ref, commit.sha);
      return {
        clientMutationId: i.clientMutationId ?? null,
        commit: commitNode(repo, commit.sha),
        ref: refNode(repo, ref),
      };
    } catch (e) {
      if (e instanceof GitError) throw fieldError("UNPROCESSABLE", e.message);
      throw e;
    }
  },

  createPullRequest: ({ input }: Args, ctx: ResolverContext) => {
    const i = input as {
      repositoryId: string;
      baseRefName: string;
      headRefName: string;
      title: string;
      body?: string | null;
      draft?: boolean;
    };
    const repo = repoById(ctx, i.repositoryId);
    const head = i.headRefName.replace(/^[^:]+:/, "");
    for (const branch of [head, i.baseRefName])
      if (!repo.refs.has(`refs/heads/${branch}`))
        throw fieldError(
          "UNPROCESSABLE",
          `Head sha can't be blank, Base sha can't be blank, No commits between ${i.baseRefName} and ${head}, Base ref must be a branch`,
        );
    if (repo.pulls.some((p) => p.state === "open" && p.head === head && p.base === i.baseRefName))
      throw fieldError("UNPROCESSABLE", `A pull request already exists for ${repo.owner}:${head}.`);
    const now = ctx.state.now();
    const pull: PullState = {
      number: repo.nextNumber(),
      id: ctx.state.id(),
      title: i.title,
      body: i.body ?? null,
      head,
      base: i.baseRefName,
      state: "open",
      merged: false,
      draft: i.draft === true,
      user: ctx.actor,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    repo.pulls.push(pull);
    return { pullRequest: pullNode(repo, pull) };
  },

  updatePullRequest: ({ input }: Args, ctx: ResolverContext) => {
    const i = input as {
      pullRequestId: string;
      title?: string | null;
      body?: string | null;
      state?: string | null;
    };
    const { repo, pull } = findPull(ctx, i.pullRequestId);
    if (typeof i.title === "string") pull.title = i.title;
    if (typeof i.body === "string") pull.body = i.body;
    if (i.state === "CLOSED" || i.state === "OPEN") {
      pull.state = i.state === "OPEN" ? "open" : "closed";
      pull.closedAt = pull.state === "closed" ? ctx.state.now() : null;
    }
    pull.updatedAt = ctx.state.now();
    return { pullRequest: pullNode(repo, pull) };
  },
};
