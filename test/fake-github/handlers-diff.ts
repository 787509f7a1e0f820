import { type Handler, notFound, num, paginate, repoOf } from "./handler-kit.js";

/**
 * A PR's changed files, as GitHub's three-dot diff: the head branch's tree against the merge
 * base's (so commits the base gained since the branch was cut are not the PR's), by blob id.
 */
export const diffHandlers: Record<string, Handler> = {
  "pulls/list-files": (ctx) => {
    const repo = repoOf(ctx);
    const pull = repo.pulls.find((p) => p.number === num(ctx, "pull_number"));
    if (!pull) return notFound();
    const headRepo = ctx.shapes.headRepoOf(repo, pull);
    const headSha = headRepo.refs.get(`refs/heads/${pull.head}`) ?? "";
    const baseTip = repo.refs.get(`refs/heads/${pull.base}`) ?? "";
    const mergeBase = headRepo.git.compare(baseTip, headSha).mergeBase ?? baseTip;
    const filesAt = (store: typeof repo, sha: string) => {
      const tree = store.git.commits.get(sha)?.tree;
      return tree ? store.git.flatten(tree) : new Map();
    };
    const base = { files: filesAt(headRepo.git.commits.has(mergeBase) ? headRepo : repo, mergeBase) };
    const head = { sha: headSha, files: filesAt(headRepo, headSha) };
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
