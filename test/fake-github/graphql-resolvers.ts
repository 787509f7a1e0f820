import { GraphQLError } from "graphql";
import type { GitTreeEntry } from "./git-store.js";
import type { Actor, FakeState, PullState, RepoState } from "./state.js";

/**
 * Resolvers of the GraphQL query fields the App uses (mutations: graphql-mutations.ts), over the
 * same git store and PR state as the REST side. Plain objects: graphql-js reads a field as a
 * property, or calls it with the field's arguments; `__typename` picks the type of an interface
 * or union. The schema shapes the answer.
 */

export const ZERO = "0".repeat(40);
export type Args = Record<string, unknown>;

/** A GitHub-shaped field error: `type` is what GitHub's errors carry (NOT_FOUND, STALE_DATA…). */
export function fieldError(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type } });
}

export const encodeId = (kind: string, ...parts: Array<string | number>) =>
  `${kind}_${Buffer.from(parts.join(":")).toString("base64url")}`;
export const decodeId = (id: unknown, kind: string): string[] | undefined => {
  if (typeof id !== "string" || !id.startsWith(`${kind}_`)) return undefined;
  return Buffer.from(id.slice(kind.length + 1), "base64url")
    .toString("utf8")
    .split(":");
};

export interface ResolverContext {
  state: FakeState;
  actor: Actor;
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

export function commitNode(repo: RepoState, sha: string) {
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

export function refNode(repo: RepoState, name: string) {
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

export function pullNode(repo: RepoState, pull: PullState) {
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

/** Query fields. */
export const queryRoot = {
  repository: ({ owner, name }: Args, ctx: ResolverContext) => {
    const repo = ctx.state.repo(String(owner), String(name));
    if (!repo)
      throw fieldError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
    return repositoryNode(repo);
  },
};
