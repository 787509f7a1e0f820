import type { FakeGitHub } from "./fake-server.js";
import { error, type FakeResponse } from "./handler-kit.js";
import { type Actor, type PullState, type RepoState, type ReviewState, ROLES, type Role } from "./state.js";

/**
 * Control routes that act as humans on GitHub (test/fake-github/README.md): review, dismiss,
 * edit, push, grant a permission, join a team, open/close/reopen/retarget a PR. Answers
 * undefined when the route is not one of these.
 */
export function handleHumanControl(
  fake: FakeGitHub,
  route: string,
  body: Record<string, unknown>,
): FakeResponse | undefined {
  const { state } = fake;
  const ok = (b: unknown, status = 200): FakeResponse => ({ status, body: b });
  const team = route.match(/^POST \/orgs\/([^/]+)\/teams\/([^/]+)\/memberships$/);
  if (team) {
    const login = String(body.login ?? "");
    const wanted = body.state === null || body.state === "none" ? null : (body.state ?? "active");
    if (!login || (wanted !== null && wanted !== "active" && wanted !== "pending"))
      return error(400, "login, and state active, pending or null");
    const membership = wanted
      ? { state: wanted as "active" | "pending", role: body.role === "maintainer" ? "maintainer" : "member" }
      : null;
    state.setMembership(`${team[1]}/${team[2]}`, login, membership as never);
    return ok({ team: `${team[1]}/${team[2]}`, login, membership }, 201);
  }

  const m = route.match(/^(POST) \/repos\/([^/]+)\/([^/]+)(\/.*)$/);
  const repo = m ? state.repo(m[2] ?? "", m[3] ?? "") : undefined;
  if (!m || !repo) return undefined;
  const rest = m[4] ?? "";
  const pullPath = rest.match(/^\/pulls\/(\d+)(\/.*)?$/);
  const pull = pullPath ? repo.pulls.find((p) => p.number === Number(pullPath[1])) : undefined;
  const sub = pullPath?.[2] ?? "";

  if (rest === "/collaborators") {
    const login = String(body.login ?? "");
    const role = String(body.permission ?? "write");
    if (!login) return error(400, "login is required");
    if (role === "none") repo.collaborators.delete(login.toLowerCase());
    else if (!ROLES.includes(role as Role)) return error(400, `permission one of ${ROLES.join(", ")}, none`);
    else repo.collaborators.set(login.toLowerCase(), { user: userOf(body, login), role: role as Role });
    return ok({ login, permission: role }, 201);
  }
  if (rest === "/push") return push(fake, repo, body);
  if (rest === "/pulls") return openPull(fake, repo, body);
  if (pullPath && !pull) return error(404, "no such pull request");
  if (!pull) return undefined;

  if (sub === "/reviews") {
    const review: ReviewState = {
      id: state.id(),
      pullNumber: pull.number,
      user: actorOf(body.user) ?? { login: "reviewer", id: 77, type: "User" },
      body: String(body.body ?? ""),
      state: (body.state as ReviewState["state"]) ?? "APPROVED",
      commitId: String(body.commit_id ?? headSha(fake, repo, pull)),
      submittedAt: state.now(),
    };
    repo.reviews.push(review);
    return ok(review, 201);
  }
  const reviewPath = sub.match(/^\/reviews\/(\d+)\/(dismiss|edit)$/);
  if (reviewPath) {
    const review = repo.reviews.find((r) => r.pullNumber === pull.number && r.id === Number(reviewPath[1]));
    if (!review) return error(404, "no such review");
    if (reviewPath[2] === "dismiss") review.state = "DISMISSED";
    else {
      review.body = String(body.body ?? "");
      review.edited = true;
    }
    return ok(review);
  }
  if (sub === "/close" || sub === "/reopen") {
    pull.state = sub === "/close" ? "closed" : "open";
    pull.merged = sub === "/close" && body.merged === true;
    pull.closedAt = pull.state === "closed" ? state.now() : null;
    pull.updatedAt = state.now();
    return ok({ number: pull.number, state: pull.state, merged: pull.merged });
  }
  if (sub === "/retarget") {
    const base = String(body.base ?? "");
    if (!repo.refs.has(`refs/heads/${base}`)) return error(422, `no branch ${base}`);
    pull.base = base;
    pull.updatedAt = state.now();
    return ok({ number: pull.number, base });
  }
  return undefined;
}

function actorOf(value: unknown): Actor | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as { login?: unknown; id?: unknown; type?: unknown };
  if (typeof v.login !== "string" || typeof v.id !== "number") return undefined;
  return { login: v.login, id: v.id, type: v.type === "Bot" ? "Bot" : "User" };
}

function userOf(body: Record<string, unknown>, login: string): Actor {
  return actorOf(body.user) ?? { login, id: typeof body.id === "number" ? body.id : 0, type: "User" };
}

function headSha(fake: FakeGitHub, repo: RepoState, pull: PullState): string {
  return fake.shapes.headRepoOf(repo, pull).resolve(`refs/heads/${pull.head}`) ?? "";
}

/** A human's `git push` of one commit (files: path → text, null deletes) onto a branch. */
function push(fake: FakeGitHub, repo: RepoState, body: Record<string, unknown>): FakeResponse {
  const user = actorOf(body.user) ?? { login: "pusher", id: 78, type: "User" as const };
  const branch = String(body.branch ?? repo.defaultBranch);
  const parent = repo.refs.get(`refs/heads/${branch}`);
  const base = parent ? repo.git.commits.get(parent)?.tree : undefined;
  const files = (body.files ?? {}) as Record<string, string | null>;
  const tree = repo.git.applyTreeEdits(
    base,
    Object.entries(files).map(([path, content]) =>
      content === null
        ? { path, mode: "100644", type: "blob" as const, sha: null }
        : { path, mode: "100644", type: "blob" as const, content },
    ),
  );
  const person = {
    name: user.login,
    email: `${user.id}+${user.login}@users.noreply.github.com`,
    date: fake.state.now(),
  };
  const commit = repo.git.putCommit({
    tree: tree.sha,
    parents: parent ? [parent] : [],
    message: String(body.message ?? `push by ${user.login}`),
    author: person,
    committer: person,
  });
  repo.commitUsers.set(commit.sha, { author: user, committer: user });
  repo.refs.set(`refs/heads/${branch}`, commit.sha);
  return { status: 201, body: { commit: commit.sha, branch } };
}

/** A human opens a PR, from a branch of this repository or (`head_repo`) of a fork. */
function openPull(fake: FakeGitHub, repo: RepoState, body: Record<string, unknown>): FakeResponse {
  const head = String(body.head ?? "");
  const base = String(body.base ?? repo.defaultBranch);
  const headRepoName = typeof body.head_repo === "string" ? body.head_repo : undefined;
  const headRepo = headRepoName ? fake.state.repo(...(headRepoName.split("/", 2) as [string, string])) : repo;
  if (!headRepo?.refs.has(`refs/heads/${head}`)) return error(422, `no branch ${head}`);
  const now = fake.state.now();
  const pull: PullState = {
    number: repo.nextNumber(),
    id: fake.state.id(),
    title: String(body.title ?? head),
    body: typeof body.body === "string" ? body.body : null,
    head,
    base,
    state: "open",
    merged: false,
    draft: false,
    user: actorOf(body.user) ?? { login: "contributor", id: 79, type: "User" },
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    ...(headRepoName ? { headRepo: headRepo.fullName } : {}),
  };
  repo.pulls.push(pull);
  return { status: 201, body: { number: pull.number } };
}
