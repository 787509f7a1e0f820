import { GitError, type GitPerson, type TreeEdit } from "./git-store.js";
import { error, type Handler, type HandlerContext, HttpError, notFound, repoOf, str } from "./handler-kit.js";

function person(ctx: HandlerContext, key: string): GitPerson {
  const given = ctx.body[key] as { name?: string; email?: string; date?: string } | undefined;
  return {
    name: given?.name ?? ctx.actor.login,
    email: given?.email ?? `${ctx.actor.id}+${ctx.actor.login}@users.noreply.github.com`,
    date: given?.date ?? ctx.state.now(),
  };
}

/** Git store errors (a missing object) answer 422 as GitHub does. */
function gitCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GitError) throw new HttpError(error(422, e.message));
    throw e;
  }
}

export const gitHandlers: Record<string, Handler> = {
  "repos/get": (ctx) => ({ status: 200, body: ctx.shapes.fullRepository(repoOf(ctx)) }),

  "git/get-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const sha = repo.refs.get(ref);
    return sha ? { status: 200, body: ctx.shapes.gitRef(repo, ref, sha) } : notFound();
  },

  "git/create-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = str(ctx, "ref") ?? "";
    const sha = str(ctx, "sha") ?? "";
    if (!/^refs\/[^/]+\/.+/.test(ref)) return error(422, "ref must be fully qualified (refs/heads/…)");
    if (repo.refs.has(ref)) return error(422, "Reference already exists");
    if (!repo.git.commits.has(sha)) return error(422, "Object does not exist");
    repo.refs.set(ref, sha);
    return { status: 201, body: ctx.shapes.gitRef(repo, ref, sha) };
  },

  "git/update-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    const current = repo.refs.get(ref);
    const sha = str(ctx, "sha") ?? "";
    if (!current) return error(422, "Reference does not exist");
    if (!repo.git.commits.has(sha)) return error(422, "Object does not exist");
    if (ctx.body.force !== true && !repo.git.isAncestor(current, sha)) {
      return error(422, "Update is not a fast forward");
    }
    repo.refs.set(ref, sha);
    return { status: 200, body: ctx.shapes.gitRef(repo, ref, sha) };
  },

  "git/delete-ref": (ctx) => {
    const repo = repoOf(ctx);
    const ref = `refs/${ctx.params.ref}`;
    if (!repo.refs.delete(ref)) return error(422, "Reference does not exist");
    return { status: 204 };
  },

  "git/create-blob": (ctx) => {
    const repo = repoOf(ctx);
    const encoding = str(ctx, "encoding") ?? "utf-8";
    const bytes = Buffer.from(str(ctx, "content") ?? "", encoding === "base64" ? "base64" : "utf8");
    const blob = repo.git.putBlob(bytes);
    return {
      status: 201,
      body: { sha: blob.sha, url: `${ctx.baseUrl}/repos/${repo.fullName}/git/blobs/${blob.sha}` },
    };
  },

  "git/get-blob": (ctx) => {
    const repo = repoOf(ctx);
    const blob = repo.git.blobs.get(String(ctx.params.file_sha));
    return blob ? { status: 200, body: ctx.shapes.blob(repo, blob.sha, blob.content) } : notFound();
  },

  "git/create-tree": (ctx) => {
    const repo = repoOf(ctx);
    const base = str(ctx, "base_tree");
    if (base && !repo.git.trees.has(base)) return error(422, "base_tree is not a valid tree oid");
    const edits = (ctx.body.tree as TreeEdit[]).map((e) => ({ ...e }));
    const tree = gitCall(() => repo.git.applyTreeEdits(base, edits));
    return { status: 201, body: ctx.shapes.gitTree(repo, tree, false) };
  },

  "git/get-tree": (ctx) => {
    const repo = repoOf(ctx);
    const wanted = String(ctx.params.tree_sha);
    // GitHub accepts a commit sha or a branch name here too.
    const commit = repo.git.commits.get(repo.resolve(wanted) ?? "");
    const tree = repo.git.trees.get(wanted) ?? (commit ? repo.git.trees.get(commit.tree) : undefined);
    if (!tree) return notFound();
    return { status: 200, body: ctx.shapes.gitTree(repo, tree, ctx.query.has("recursive")) };
  },

  "git/create-commit": (ctx) => {
    const repo = repoOf(ctx);
    const commit = gitCall(() =>
      repo.git.putCommit({
        tree: str(ctx, "tree") ?? "",
        parents: (ctx.body.parents as string[] | undefined) ?? [],
        message: str(ctx, "message") ?? "",
        author: person(ctx, "author"),
        committer: person(ctx, ctx.body.committer ? "committer" : "author"),
      }),
    );
    // GitHub attributes an API commit to the token's account (the App's bot for an installation).
    repo.commitUsers.set(commit.sha, { author: ctx.actor, committer: ctx.actor });
    return { status: 201, body: ctx.shapes.gitCommit(repo, commit) };
  },

  "git/get-commit": (ctx) => {
    const repo = repoOf(ctx);
    const commit = repo.git.commits.get(String(ctx.params.commit_sha));
    return commit ? { status: 200, body: ctx.shapes.gitCommit(repo, commit) } : notFound();
  },

  "repos/get-branch": (ctx) => {
    const repo = repoOf(ctx);
    const name = String(ctx.params.branch);
    const commit = repo.git.commits.get(repo.refs.get(`refs/heads/${name}`) ?? "");
    return commit ? { status: 200, body: ctx.shapes.branch(repo, name, commit) } : notFound();
  },

  "repos/download-zipball-archive": (ctx) => {
    const repo = repoOf(ctx);
    const sha = repo.resolve(String(ctx.params.ref ?? repo.defaultBranch));
    if (!sha) return notFound();
    // GitHub redirects to codeload; here a loopback URL outside the API (control.ts builds the zip).
    return {
      status: 302,
      headers: { location: `${ctx.baseUrl}/_fake/zipballs/${repo.fullName}/${sha}.zip` },
    };
  },

  "repos/get-content": (ctx) => {
    const repo = repoOf(ctx);
    const path = String(ctx.params.path);
    const commitSha = repo.resolve(ctx.query.get("ref") ?? repo.defaultBranch);
    const entry = commitSha ? repo.git.fileAt(commitSha, path) : undefined;
    const blob = entry ? repo.git.blobs.get(entry.sha) : undefined;
    if (!entry || !blob) return notFound();
    // Probot's config helper asks for the raw media type and gets the bytes themselves.
    if (/\.raw\b|vnd\.github\.raw/.test(ctx.accept)) {
      return {
        status: 200,
        raw: { bytes: blob.content, contentType: "application/vnd.github.raw; charset=utf-8" },
      };
    }
    return { status: 200, body: ctx.shapes.contentFile(repo, path, blob.sha, blob.content) };
  },
};
