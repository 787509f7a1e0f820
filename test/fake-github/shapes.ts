import type { GitCommit, GitTree } from "./git-store.js";
import type { GitHubSpec } from "./openapi.js";
import type {
  Actor,
  ArtifactState,
  CheckRunState,
  CommentState,
  PullState,
  RepoState,
  ReviewState,
  WorkflowRunState,
} from "./state.js";

type Json = Record<string, unknown>;

/**
 * Response bodies: GitHub's own examples from the spec, patched with the fake's state, so every
 * required field is present without hand-writing GitHub's large objects.
 */
export class Shapes {
  constructor(
    private readonly spec: GitHubSpec,
    private readonly base: () => string,
    /** Another repository by `owner/name` (the head of a PR from a fork). */
    private readonly repoNamed: (fullName: string) => RepoState | undefined = () => undefined,
  ) {}

  private api(repo: RepoState, rest = ""): string {
    return `${this.base()}/repos/${repo.fullName}${rest}`;
  }

  user(actor: Actor): Json {
    const u = (this.spec.example("pull-request") as { user: Json }).user;
    return {
      ...u,
      login: actor.login,
      id: actor.id,
      type: actor.type,
      node_id: `U_${actor.id}`,
      url: `${this.base()}/users/${encodeURIComponent(actor.login)}`,
    };
  }

  private owner(repo: RepoState): Actor {
    return { login: repo.owner, id: repo.id + 500000, type: "User" };
  }

  fullRepository(repo: RepoState): Json {
    return this.patchRepo(this.spec.example("full-repository-default-response"), repo);
  }

  private patchRepo(example: Json, repo: RepoState, fork = false): Json {
    // The example's parent/source would describe someone else's repository.
    const { parent: _parent, source: _source, ...rest } = example;
    return {
      ...rest,
      fork,
      language: null,
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: repo.fullName,
      owner: this.user(this.owner(repo)),
      private: false,
      default_branch: repo.defaultBranch,
      url: this.api(repo),
      html_url: `${this.base()}/${repo.fullName}`,
    };
  }

  gitRef(repo: RepoState, ref: string, sha: string): Json {
    return {
      ref,
      node_id: `REF_${Buffer.from(ref).toString("base64url")}`,
      url: this.api(repo, `/git/${ref}`),
      object: { type: "commit", sha, url: this.api(repo, `/git/commits/${sha}`) },
    };
  }

  gitTree(repo: RepoState, tree: GitTree, recursive: boolean): Json {
    const entries = recursive
      ? this.recursiveEntries(repo, tree.sha, "")
      : tree.entries.map((e) => ({ ...e, path: e.name }));
    return {
      sha: tree.sha,
      url: this.api(repo, `/git/trees/${tree.sha}`),
      truncated: false,
      tree: entries.map((e) => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.type === "blob" ? { size: repo.git.blobs.get(e.sha)?.content.length ?? 0 } : {}),
        url: this.api(repo, `/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`),
      })),
    };
  }

  private recursiveEntries(repo: RepoState, sha: string, prefix: string) {
    const out: Array<{ path: string; mode: string; type: string; sha: string }> = [];
    for (const e of repo.git.trees.get(sha)?.entries ?? []) {
      out.push({ path: `${prefix}${e.name}`, mode: e.mode, type: e.type, sha: e.sha });
      if (e.type === "tree") out.push(...this.recursiveEntries(repo, e.sha, `${prefix}${e.name}/`));
    }
    return out;
  }

  blob(repo: RepoState, sha: string, content: Buffer): Json {
    return {
      sha,
      node_id: `B_${sha}`,
      size: content.length,
      url: this.api(repo, `/git/blobs/${sha}`),
      content: content.toString("base64"),
      encoding: "base64",
    };
  }

  gitCommit(repo: RepoState, c: GitCommit): Json {
    return {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      url: this.api(repo, `/git/commits/${c.sha}`),
      html_url: `${this.base()}/${repo.fullName}/commit/${c.sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: { sha: c.tree, url: this.api(repo, `/git/trees/${c.tree}`) },
      parents: c.parents.map((p) => ({
        sha: p,
        url: this.api(repo, `/git/commits/${p}`),
        html_url: `${this.base()}/${repo.fullName}/commit/${p}`,
      })),
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  contentFile(repo: RepoState, path: string, sha: string, content: Buffer): Json {
    const url = this.api(repo, `/contents/${path}`);
    const html = `${this.base()}/${repo.fullName}/blob/${repo.defaultBranch}/${path}`;
    const git = this.api(repo, `/git/blobs/${sha}`);
    return {
      type: "file",
      encoding: "base64",
      size: content.length,
      name: path.split("/").pop() ?? path,
      path,
      content: content.toString("base64"),
      sha,
      url,
      git_url: git,
      html_url: html,
      download_url: `${this.base()}/_fake/raw/${repo.fullName}/${sha}`,
      _links: { self: url, git, html },
    };
  }

  private branchEnd(repo: RepoState, branch: string, fork = false): Json {
    const sha = repo.resolve(`refs/heads/${branch}`) ?? "0".repeat(40);
    const example = (this.spec.example("pull-request") as { head: Json }).head;
    return {
      ...example,
      label: `${repo.owner}:${branch}`,
      ref: branch,
      sha,
      user: this.user(this.owner(repo)),
      repo: this.patchRepo(example.repo as Json, repo, fork),
    };
  }

  /** The repository a PR's head branch lives in: the fork's, or the PR's own. */
  headRepoOf(repo: RepoState, p: PullState): RepoState {
    return (p.headRepo ? this.repoNamed(p.headRepo) : undefined) ?? repo;
  }

  private pullCommon(repo: RepoState, p: PullState): Json {
    const url = this.api(repo, `/pulls/${p.number}`);
    return {
      url,
      id: p.id,
      node_id: `PR_${p.id}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      body: p.body,
      user: this.user(p.user),
      html_url: `${this.base()}/${repo.fullName}/pull/${p.number}`,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      closed_at: p.closedAt,
      merged_at: p.merged ? p.closedAt : null,
      draft: p.draft,
      head: this.branchEnd(this.headRepoOf(repo, p), p.head, this.headRepoOf(repo, p) !== repo),
      base: this.branchEnd(repo, p.base),
      labels: (p.labels ?? []).map((name) => this.label(repo, name)),
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      milestone: null,
      auto_merge: null,
    };
  }

  pull(repo: RepoState, p: PullState): Json {
    return {
      ...this.spec.example("pull-request"),
      ...this.pullCommon(repo, p),
      merged: p.merged,
      mergeable: p.state === "open" ? true : null,
      mergeable_state: "clean",
      merged_by: null,
    };
  }

  pullSimple(repo: RepoState, p: PullState): Json {
    const example = (this.spec.example("pull-request-simple-items") as unknown as Json[])[0] ?? {};
    return { ...example, ...this.pullCommon(repo, p) };
  }

  review(repo: RepoState, r: ReviewState): Json {
    return {
      ...this.spec.example("pull-request-review-4"),
      id: r.id,
      node_id: `PRR_${r.id}`,
      user: this.user(r.user),
      body: r.body,
      state: r.state,
      commit_id: r.commitId,
      submitted_at: r.submittedAt,
      pull_request_url: this.api(repo, `/pulls/${r.pullNumber}`),
      html_url: `${this.base()}/${repo.fullName}/pull/${r.pullNumber}#pullrequestreview-${r.id}`,
    };
  }

  /** pulls/list-commits: one commit with the GitHub accounts it is attributed to (null: none). */
  commit(repo: RepoState, c: GitCommit): Json {
    const example = (this.spec.example("commit-items") as unknown as Json[])[0] ?? {};
    const users = repo.commitUsers.get(c.sha);
    const url = this.api(repo, `/commits/${c.sha}`);
    return {
      ...example,
      url,
      sha: c.sha,
      node_id: `C_${c.sha}`,
      html_url: `${this.base()}/${repo.fullName}/commit/${c.sha}`,
      comments_url: `${url}/comments`,
      commit: {
        ...(example.commit as Json),
        url: this.api(repo, `/git/commits/${c.sha}`),
        author: c.author,
        committer: c.committer,
        message: c.message,
        tree: { sha: c.tree, url: this.api(repo, `/git/trees/${c.tree}`) },
      },
      author: users ? this.user(users.author) : null,
      committer: users ? this.user(users.committer) : null,
      parents: c.parents.map((sha) => ({
        sha,
        url: this.api(repo, `/commits/${sha}`),
        html_url: `${this.base()}/${repo.fullName}/commit/${sha}`,
      })),
    };
  }

  /** repos/get-collaborator-permission-level: `permission` is the legacy fold of `role_name`. */
  permission(actor: Actor, role: string): Json {
    const legacy: Record<string, string> = { maintain: "write", triage: "read" };
    return {
      permission: legacy[role] ?? role,
      role_name: role,
      user: { ...this.user(actor), role_name: role },
    };
  }

  membership(org: string, slug: string, login: string, m: { state: string; role: string }): Json {
    return {
      url: `${this.base()}/organizations/${org}/team/${slug}/memberships/${encodeURIComponent(login)}`,
      role: m.role,
      state: m.state,
    };
  }

  comment(repo: RepoState, c: CommentState): Json {
    return {
      ...this.spec.example("issue-comment"),
      id: c.id,
      node_id: `IC_${c.id}`,
      body: c.body,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      url: this.api(repo, `/issues/comments/${c.id}`),
      issue_url: this.api(repo, `/issues/${c.issueNumber}`),
      html_url: `${this.base()}/${repo.fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    };
  }

  checkRun(repo: RepoState, c: CheckRunState, app: Json): Json {
    return {
      ...this.spec.example("check-run"),
      id: c.id,
      node_id: `CR_${c.id}`,
      name: c.name,
      head_sha: c.headSha,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.startedAt,
      completed_at: c.completedAt,
      external_id: c.externalId,
      details_url: c.detailsUrl,
      url: this.api(repo, `/check-runs/${c.id}`),
      html_url: `${this.base()}/${repo.fullName}/runs/${c.id}`,
      output: {
        title: c.output.title,
        summary: c.output.summary,
        text: c.output.text,
        annotations_count: c.output.annotations.length,
        annotations_url: this.api(repo, `/check-runs/${c.id}/annotations`),
      },
      check_suite: { id: c.id + 1 },
      app,
      pull_requests: [],
    };
  }

  rootExample(): Json {
    return this.spec.example("root");
  }

  app(app: { id: number; slug: string; name: string }): Json {
    return { ...this.spec.example("integration"), id: app.id, slug: app.slug, name: app.name };
  }

  label(repo: RepoState, name: string): Json {
    const id = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7);
    return {
      id,
      node_id: `LA_${id}`,
      url: this.api(repo, `/labels/${encodeURIComponent(name)}`),
      name,
      // pulls/list documents a string here; add-labels allows null too.
      description: "",
      color: "ededed",
      default: false,
    };
  }

  /** repos/get-branch: the branch head commit with its tree, from the spec's example. */
  branch(repo: RepoState, name: string, commit: GitCommit): Json {
    const example = this.spec.example("branch-get");
    const c = example.commit as Json;
    const inner = c.commit as Json;
    return {
      ...example,
      name,
      protected: false,
      commit: {
        ...c,
        sha: commit.sha,
        url: this.api(repo, `/commits/${commit.sha}`),
        html_url: `${this.base()}/${repo.fullName}/commit/${commit.sha}`,
        parents: commit.parents.map((sha) => ({ sha, url: this.api(repo, `/commits/${sha}`) })),
        commit: {
          ...inner,
          message: commit.message,
          tree: { sha: commit.tree, url: this.api(repo, `/git/trees/${commit.tree}`) },
          url: this.api(repo, `/git/commits/${commit.sha}`),
        },
      },
      _links: {
        self: this.api(repo, `/branches/${name}`),
        html: `${this.base()}/${repo.fullName}/tree/${name}`,
      },
    };
  }

  workflowRun(repo: RepoState, r: WorkflowRunState): Json {
    const example = this.spec.example("workflow-run");
    const small = (example.repository ?? {}) as Json;
    return {
      ...example,
      id: r.id,
      node_id: `WFR_${r.id}`,
      name: r.name,
      path: r.path,
      workflow_id: r.workflowId,
      head_branch: r.headBranch,
      head_sha: r.headSha,
      event: r.event,
      status: r.status,
      conclusion: r.conclusion,
      run_number: r.runNumber,
      url: this.api(repo, `/actions/runs/${r.id}`),
      html_url: `${this.base()}/${repo.fullName}/actions/runs/${r.id}`,
      artifacts_url: this.api(repo, `/actions/runs/${r.id}/artifacts`),
      pull_requests: [],
      repository: { ...small, id: repo.id, name: repo.name, full_name: repo.fullName },
      head_repository: { ...small, id: repo.id, name: repo.name, full_name: repo.fullName },
    };
  }

  artifact(repo: RepoState, a: ArtifactState, run: WorkflowRunState | undefined): Json {
    const example = ((this.spec.example("artifact-paginated").artifacts as Json[])[0] ?? {}) as Json;
    return {
      ...example,
      id: a.id,
      node_id: `A_${a.id}`,
      name: a.name,
      size_in_bytes: a.bytes.length,
      expired: a.expired,
      url: this.api(repo, `/actions/artifacts/${a.id}`),
      archive_download_url: this.api(repo, `/actions/artifacts/${a.id}/zip`),
      workflow_run: run
        ? {
            id: run.id,
            repository_id: repo.id,
            head_repository_id: repo.id,
            head_branch: run.headBranch,
            head_sha: run.headSha,
          }
        : null,
    };
  }
}
