import {
  error,
  type Handler,
  type HandlerContext,
  notFound,
  num,
  paginate,
  repoOf,
  str,
} from "./handler-kit.js";
import type { PullState, RepoState, ReviewState } from "./state.js";

/**
 * What a gate decision reads about a request PR's reviewers: reviews with real state, the PR's
 * commits and who they are attributed to, repository permissions and team memberships.
 */
function pullOf(ctx: HandlerContext): { repo: RepoState; pull: PullState } | undefined {
  const repo = repoOf(ctx);
  const pull = repo.pulls.find((p) => p.number === num(ctx, "pull_number"));
  return pull ? { repo, pull } : undefined;
}

function reviewOf(ctx: HandlerContext): { repo: RepoState; review: ReviewState } | undefined {
  const repo = repoOf(ctx);
  const review = repo.reviews.find(
    (r) => r.pullNumber === num(ctx, "pull_number") && r.id === num(ctx, "review_id"),
  );
  return review ? { repo, review } : undefined;
}

/** A stable made-up id for an account the fake has not seen act. */
function idOf(login: string): number {
  return 700000 + ([...login].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 99_991, 17) % 99_991);
}

const EVENTS: Record<string, ReviewState["state"]> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
};

export const reviewHandlers: Record<string, Handler> = {
  "repos/get-collaborator-permission-level": (ctx) => {
    const repo = repoOf(ctx);
    const login = String(ctx.params.username);
    const known = repo.collaborators.get(login.toLowerCase());
    if (known) return { status: 200, body: ctx.shapes.permission(known.user, known.role) };
    const user = { login, id: idOf(login), type: "User" as const };
    // The owner administers its repository; anyone else may read a public one.
    const role = login.toLowerCase() === repo.owner.toLowerCase() ? "admin" : "read";
    return { status: 200, body: ctx.shapes.permission(user, role) };
  },

  "teams/get-membership-for-user-in-org": (ctx) => {
    const org = String(ctx.params.org);
    const slug = String(ctx.params.team_slug);
    const login = String(ctx.params.username);
    const membership = ctx.state.teams.get(`${org}/${slug}`.toLowerCase())?.get(login.toLowerCase());
    return membership
      ? { status: 200, body: ctx.shapes.membership(org, slug, login, membership) }
      : { status: 404 }; // documented without a body
  },

  "pulls/list-commits": (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    const { repo, pull } = found;
    const head = ctx.shapes.headRepoOf(repo, pull);
    const headSha = head.resolve(`refs/heads/${pull.head}`) ?? "";
    const baseSha = repo.resolve(`refs/heads/${pull.base}`) ?? "";
    const { commits } = head.git.compare(baseSha, headSha);
    const { items, headers } = paginate(ctx, commits, `/repos/${repo.fullName}/pulls/${pull.number}/commits`);
    return { status: 200, body: items.map((c) => ctx.shapes.commit(head, c)), headers };
  },

  "pulls/create-review": (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    const { repo, pull } = found;
    const event = str(ctx, "event");
    const state = event ? EVENTS[event] : "PENDING";
    if (!state) return error(422, "Unprocessable Entity", { errors: [`unknown event ${event}`] });
    if (pull.user.id === ctx.actor.id && state !== "COMMENTED" && state !== "PENDING")
      return error(422, "Unprocessable Entity", {
        errors: [`Can not ${event === "APPROVE" ? "approve" : "request changes on"} your own pull request`],
      });
    const review: ReviewState = {
      id: ctx.state.id(),
      pullNumber: pull.number,
      user: ctx.actor,
      body: str(ctx, "body") ?? "",
      state,
      commitId: str(ctx, "commit_id") ?? repo.resolve(`refs/heads/${pull.head}`) ?? "",
      submittedAt: ctx.state.now(),
    };
    repo.reviews.push(review);
    return { status: 200, body: ctx.shapes.review(repo, review) };
  },

  "pulls/update-review": (ctx) => {
    const found = reviewOf(ctx);
    if (!found) return notFound();
    if (found.review.user.id !== ctx.actor.id) return error(403, "Resource not accessible by integration");
    found.review.body = str(ctx, "body") ?? "";
    found.review.edited = true;
    return { status: 200, body: ctx.shapes.review(found.repo, found.review) };
  },

  "pulls/dismiss-review": (ctx) => {
    const found = reviewOf(ctx);
    if (!found) return notFound();
    const { review } = found;
    if (review.state !== "APPROVED" && review.state !== "CHANGES_REQUESTED")
      return error(422, "Unprocessable Entity", {
        errors: [`Can not dismiss a ${review.state.toLowerCase()} pull request review`],
      });
    review.state = "DISMISSED";
    return { status: 200, body: ctx.shapes.review(found.repo, review) };
  },
};
