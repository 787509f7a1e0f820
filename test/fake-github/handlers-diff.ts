import { type Handler, notFound, num, paginate, repoOf } from "./handler-kit.js";

/** A PR's changed files: the base branch's tree against the head branch's, by blob id. */
export const diffHandlers: Record<string, Handler> = {
  "pulls/list-files": (ctx) => {
    const repo = repoOf(ctx);
    const pull = repo.pulls.find((p) => p.number === num(ctx, "pull_number"));
    if (!pull) return notFound();
    const treeOf = (branch: string) => {
      const sha = repo.refs.get(`refs/heads/${branch}`);
      const tree = sha ? repo.git.commits.get(sha)?.tree : undefined;
      return { sha: sha ?? "", files: tree ? repo.git.flatten(tree) : new Map() };
    };
    const base = treeOf(pull.base);
    const head = treeOf(pull.head);
    const paths = [...new Set([...base.files.keys(), ...head.files.keys()])].sort();
    const web = `${ctx.baseUrl}/${repo.fullName}`;
    const changed = paths.flatMap((filename) => {
      const before = base.files.get(filename)?.sha;
      const after = head.files.get(filename)?.sha;
      if (before === after) return [];
      const status = before === undefined ? "added" : after === undefined ? "removed" : "modified";
      return [
        {
          sha: after ?? before ?? null,
          filename,
          status,
          additions: 0,
          deletions: 0,
          changes: 0,
          blob_url: `${web}/blob/${head.sha}/${filename}`,
          raw_url: `${web}/raw/${head.sha}/${filename}`,
          contents_url: `${ctx.baseUrl}/repos/${repo.fullName}/contents/${filename}?ref=${head.sha}`,
        },
      ];
    });
    const { items, headers } = paginate(ctx, changed, `/repos/${repo.fullName}/pulls/${pull.number}/files`);
    return { status: 200, body: items, headers };
  },
};
