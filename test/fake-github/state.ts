import { GitStore } from "./git-store.js";

export interface Actor {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface PullState {
  number: number;
  id: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  user: Actor;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Label names, as issues/add-labels leaves them. */
  labels?: string[];
  /** `owner/name` of the repository the head branch lives in, when the PR comes from a fork. */
  headRepo?: string;
}

export interface ReviewState {
  id: number;
  pullNumber: number;
  user: Actor;
  body: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commitId: string;
  submittedAt: string;
  /** Set when the review's body was edited after submission (a `pull_request_review.edited`). */
  edited?: boolean;
}

/** A team membership, as teams/get-membership-for-user-in-org reports it. */
export interface MembershipState {
  state: "active" | "pending";
  role: "member" | "maintainer";
}

/** Repository roles, from most to least; the API's `permission` folds maintain→write, triage→read. */
export const ROLES = ["admin", "maintain", "write", "triage", "read"] as const;
export type Role = (typeof ROLES)[number];

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: string;
  updatedAt: string;
}

export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
}

export interface WorkflowRunState {
  id: number;
  name: string;
  path: string;
  workflowId: number;
  headBranch: string;
  headSha: string;
  event: string;
  status: string;
  conclusion: string | null;
  runNumber: number;
}

export interface ArtifactState {
  id: number;
  runId: number;
  name: string;
  bytes: Buffer;
  expired: boolean;
}

export class RepoState {
  readonly git = new GitStore();
  /** Full ref names ("refs/heads/main") to commit shas. */
  readonly refs = new Map<string, string>();
  readonly pulls: PullState[] = [];
  readonly reviews: ReviewState[] = [];
  readonly comments: CommentState[] = [];
  readonly checkRuns: CheckRunState[] = [];
  readonly workflowRuns: WorkflowRunState[] = [];
  readonly artifacts: ArtifactState[] = [];
  readonly dispatches: Array<{ event_type: string; client_payload: unknown }> = [];
  /** Collaborators: lowercase login → account and role (absent: not a collaborator). */
  readonly collaborators = new Map<string, { user: Actor; role: Role }>();
  /** The GitHub accounts a commit is attributed to (API and control pushes; seeds have none). */
  readonly commitUsers = new Map<string, { author: Actor; committer: Actor }>();
  private lastNumber = 0;

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly name: string,
    public defaultBranch: string,
  ) {}

  /** Issues and pull requests share one number sequence per repository, as on GitHub. */
  nextNumber(): number {
    this.lastNumber += 1;
    return this.lastNumber;
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** A branch name, a full or short ref, or a commit sha, to a commit sha. */
  resolve(ref: string): string | undefined {
    for (const candidate of [ref, `refs/${ref}`, `refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = this.refs.get(candidate);
      if (sha) return sha;
    }
    return this.git.commits.has(ref) ? ref : undefined;
  }
}

export const BOT: Actor = { login: "sigil-fake[bot]", id: 900001, type: "Bot" };
export const DEFAULT_USER: Actor = { login: "octocat", id: 1, type: "User" };

/** Everything the fake remembers; `reset()` forgets it all. */
export class FakeState {
  readonly repos = new Map<string, RepoState>();
  /** Issued installation tokens and the actor each acts as. */
  readonly tokens = new Map<string, Actor>();
  readonly app = { id: 4242, slug: "sigil-fake", name: "SIGIL fake App" };
  /** Org teams: lowercase `org/slug` → lowercase login → membership. */
  readonly teams = new Map<string, Map<string, MembershipState>>();

  /** Sets (or with null removes) a user's membership in `org/slug`. */
  setMembership(team: string, login: string, membership: MembershipState | null): void {
    const key = team.toLowerCase();
    const members = this.teams.get(key) ?? new Map<string, MembershipState>();
    if (membership) members.set(login.toLowerCase(), membership);
    else members.delete(login.toLowerCase());
    this.teams.set(key, members);
  }
  private nextId = 1000;

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  createRepo(owner: string, name: string, defaultBranch = "main"): RepoState {
    const repo = new RepoState(this.id(), owner, name, defaultBranch);
    this.repos.set(repo.fullName.toLowerCase(), repo);
    return repo;
  }

  /** Seeds a repository with files on a branch (one commit); creates the repository if needed. */
  seed(input: {
    owner: string;
    repo: string;
    branch?: string;
    defaultBranch?: string;
    files: Record<string, string>;
    message?: string;
  }): { repo: RepoState; commit: string } {
    const repo =
      this.repo(input.owner, input.repo) ?? this.createRepo(input.owner, input.repo, input.defaultBranch);
    const branch = input.branch ?? repo.defaultBranch;
    const parent = repo.refs.get(`refs/heads/${branch}`);
    const base = parent ? repo.git.commits.get(parent)?.tree : undefined;
    const tree = repo.git.applyTreeEdits(
      base,
      Object.entries(input.files).map(([path, content]) => ({ path, mode: "100644", type: "blob", content })),
    );
    const person = { name: "Seed", email: "seed@example.com", date: this.now() };
    const commit = repo.git.putCommit({
      tree: tree.sha,
      parents: parent ? [parent] : [],
      message: input.message ?? "seed",
      author: person,
      committer: person,
    });
    repo.refs.set(`refs/heads/${branch}`, commit.sha);
    return { repo, commit: commit.sha };
  }

  /** Who a request acts as: an issued installation token is the App's bot, anything else a user. */
  actorFor(authorization: string | undefined): Actor {
    const token = authorization?.replace(/^(token|bearer)\s+/i, "") ?? "";
    return this.tokens.get(token) ?? DEFAULT_USER;
  }

  /** A JSON view of one repository for the control API. */
  snapshot(repo: RepoState) {
    const flatTree = (sha: string) => {
      const tree = repo.git.commits.get(sha)?.tree;
      return tree ? Object.fromEntries([...repo.git.flatten(tree)].map(([p, e]) => [p, e.sha])) : {};
    };
    return {
      full_name: repo.fullName,
      default_branch: repo.defaultBranch,
      refs: Object.fromEntries(repo.refs),
      commits: [...repo.git.commits.values()].map((c) => ({
        sha: c.sha,
        tree: c.tree,
        parents: c.parents,
        message: c.message,
        files: flatTree(c.sha),
      })),
      trees: Object.fromEntries([...repo.refs].map(([ref, sha]) => [ref, flatTree(sha)])),
      pulls: repo.pulls,
      reviews: repo.reviews,
      collaborators: Object.fromEntries(repo.collaborators),
      comments: repo.comments,
      check_runs: repo.checkRuns,
      workflow_runs: repo.workflowRuns,
      artifacts: repo.artifacts.map(({ bytes, ...rest }) => ({ ...rest, size_in_bytes: bytes.length })),
      dispatches: repo.dispatches,
    };
  }
}
