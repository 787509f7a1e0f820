import { GitError, type TreeEdit } from "./git-store.js";
import {
  type Args,
  commitNode,
  decodeId,
  fieldError,
  pullNode,
  type ResolverContext,
  refNode,
  ZERO,
} from "./graphql-resolvers.js";
import type { PullState, RepoState } from "./state.js";

// The GraphQL mutations the App uses, over the same git store and PR state as the REST side.

function repoById(ctx: ResolverContext, id: unknown): RepoState {
  const [owner, name] = decodeId(id, "R") ?? [];
  const repo = owner && name ? ctx.state.repo(owner, name) : undefined;
  if (!repo)
    throw fieldError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);
  return repo;
}

function findPull(ctx: ResolverContext, id: unknown): { repo: RepoState; pull: PullState } {
  const [owner, name, number] = decodeId(id, "PR") ?? [];
  const repo = owner && name ? ctx.state.repo(owner, name) : undefined;
  const pull = repo?.pulls.find((p) => p.number === Number(number));
  if (!repo || !pull)
    throw fieldError("NOT_FOUND", `Could not resolve to a PullRequest with the global id of '${String(id)}'`);
  return { repo, pull };
}

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
