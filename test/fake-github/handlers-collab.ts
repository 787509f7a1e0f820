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
import type { CheckRunState, PullState } from "./state.js";

function findPull(ctx: HandlerContext): PullState | undefined {
  return repoOf(ctx).pulls.find((p) => p.number === num(ctx, "pull_number"));
}

/** The PR's `head` query form is `owner:branch`; a bare branch is accepted too. */
function headMatches(p: PullState, owner: string, head: string): boolean {
  const [who, branch] = head.includes(":") ? head.split(":", 2) : [owner, head];
  return who?.toLowerCase() === owner.toLowerCase() && branch === p.head;
}

function applyCheckRunBody(ctx: HandlerContext, run: CheckRunState): void {
  const b = ctx.body;
  if (typeof b.name === "string") run.name = b.name;
  if (typeof b.external_id === "string") run.externalId = b.external_id;
  if (typeof b.details_url === "string") run.detailsUrl = b.details_url;
  if (typeof b.started_at === "string") run.startedAt = b.started_at;
  if (typeof b.status === "string") run.status = b.status;
  if (typeof b.conclusion === "string") {
    run.conclusion = b.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed")
    run.completedAt = str(ctx, "completed_at") ?? run.completedAt ?? ctx.state.now();
  const output = b.output as
    | { title?: string; summary?: string; text?: string; annotations?: unknown[] }
    | undefined;
  if (output) {
    run.output.title = output.title ?? run.output.title;
    run.output.summary = output.summary ?? run.output.summary;
    run.output.text = output.text ?? run.output.text;
    // GitHub appends annotations across updates (50 per request).
    run.output.annotations.push(...(output.annotations ?? []));
  }
}

export const collabHandlers: Record<string, Handler> = {
  "meta/root": (ctx) => ({ status: 200, body: ctx.shapes.rootExample() }),

  "pulls/create": (ctx) => {
    const repo = repoOf(ctx);
    const head = (str(ctx, "head") ?? "").replace(/^[^:]+:/, "");
    const base = str(ctx, "base") ?? "";
    if (!repo.refs.has(`refs/heads/${head}`))
      return error(422, "Validation Failed", { errors: [{ field: "head", code: "invalid" }] });
    if (!repo.refs.has(`refs/heads/${base}`))
      return error(422, "Validation Failed", { errors: [{ field: "base", code: "invalid" }] });
    if (repo.pulls.some((p) => p.state === "open" && p.head === head && p.base === base)) {
      return error(422, "Validation Failed", {
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for ${repo.owner}:${head}.`,
          },
        ],
      });
    }
    const now = ctx.state.now();
    const pull: PullState = {
      number: repo.nextNumber(),
      id: ctx.state.id(),
      title: str(ctx, "title") ?? "",
      body: str(ctx, "body") ?? null,
      head,
      base,
      state: "open",
      merged: false,
      draft: ctx.body.draft === true,
      user: ctx.actor,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    repo.pulls.push(pull);
    return { status: 201, body: ctx.shapes.pull(repo, pull) };
  },

  "issues/add-labels": (ctx) => {
    const repo = repoOf(ctx);
    const pull = repo.pulls.find((p) => p.number === num(ctx, "issue_number"));
    if (!pull) return notFound();
    const given = (ctx.body.labels as Array<string | { name: string }> | undefined) ?? [];
    const names = given.map((l) => (typeof l === "string" ? l : l.name));
    pull.labels = [...new Set([...(pull.labels ?? []), ...names])];
    return { status: 200, body: pull.labels.map((name) => ctx.shapes.label(repo, name)) };
  },

  "pulls/get": (ctx) => {
    const pull = findPull(ctx);
    return pull ? { status: 200, body: ctx.shapes.pull(repoOf(ctx), pull) } : notFound();
  },

  "pulls/update": (ctx) => {
    const pull = findPull(ctx);
    if (!pull) return notFound();
    if (typeof ctx.body.title === "string") pull.title = ctx.body.title;
    if (typeof ctx.body.body === "string") pull.body = ctx.body.body;
    if (typeof ctx.body.base === "string") pull.base = ctx.body.base;
    if (ctx.body.state === "closed" || ctx.body.state === "open") {
      pull.state = ctx.body.state;
      pull.closedAt = pull.state === "closed" ? ctx.state.now() : null;
    }
    pull.updatedAt = ctx.state.now();
    return { status: 200, body: ctx.shapes.pull(repoOf(ctx), pull) };
  },

  "pulls/list": (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    const head = ctx.query.get("head");
    const base = ctx.query.get("base");
    const matching = repo.pulls
      .filter((p) => state === "all" || p.state === state)
      .filter((p) => !head || headMatches(p, repo.owner, head))
      .filter((p) => !base || p.base === base)
      .sort((a, b) => b.number - a.number);
    const { items, headers } = paginate(ctx, matching, `/repos/${repo.fullName}/pulls`);
    return { status: 200, body: items.map((p) => ctx.shapes.pullSimple(repo, p)), headers };
  },

  "pulls/list-reviews": (ctx) => {
    const repo = repoOf(ctx);
    const reviews = repo.reviews.filter((r) => r.pullNumber === num(ctx, "pull_number"));
    const { items, headers } = paginate(
      ctx,
      reviews,
      `/repos/${repo.fullName}/pulls/${num(ctx, "pull_number")}/reviews`,
    );
    return { status: 200, body: items.map((r) => ctx.shapes.review(repo, r)), headers };
  },

  "pulls/get-review": (ctx) => {
    const repo = repoOf(ctx);
    const review = repo.reviews.find(
      (r) => r.pullNumber === num(ctx, "pull_number") && r.id === num(ctx, "review_id"),
    );
    return review ? { status: 200, body: ctx.shapes.review(repo, review) } : notFound();
  },

  "issues/list-comments": (ctx) => {
    const repo = repoOf(ctx);
    const comments = repo.comments.filter((c) => c.issueNumber === num(ctx, "issue_number"));
    const { items, headers } = paginate(
      ctx,
      comments,
      `/repos/${repo.fullName}/issues/${num(ctx, "issue_number")}/comments`,
    );
    return { status: 200, body: items.map((c) => ctx.shapes.comment(repo, c)), headers };
  },

  "issues/create-comment": (ctx) => {
    const repo = repoOf(ctx);
    const issueNumber = num(ctx, "issue_number");
    if (!repo.pulls.some((p) => p.number === issueNumber)) return notFound();
    const body = str(ctx, "body") ?? "";
    if (body.length > 65536)
      return error(422, "Validation Failed", {
        errors: [
          { field: "body", code: "custom", message: "body is too long (maximum is 65536 characters)" },
        ],
      });
    const now = ctx.state.now();
    const comment = {
      id: ctx.state.id(),
      issueNumber,
      body,
      user: ctx.actor,
      createdAt: now,
      updatedAt: now,
    };
    repo.comments.push(comment);
    return { status: 201, body: ctx.shapes.comment(repo, comment) };
  },

  "issues/update-comment": (ctx) => {
    const repo = repoOf(ctx);
    const comment = repo.comments.find((c) => c.id === num(ctx, "comment_id"));
    if (!comment) return notFound();
    if (comment.user.id !== ctx.actor.id) return error(403, "Resource not accessible by integration");
    const body = str(ctx, "body") ?? "";
    if (body.length > 65536)
      return error(422, "Validation Failed", {
        errors: [
          { field: "body", code: "custom", message: "body is too long (maximum is 65536 characters)" },
        ],
      });
    comment.body = body;
    comment.updatedAt = ctx.state.now();
    return { status: 200, body: ctx.shapes.comment(repo, comment) };
  },

  "checks/create": (ctx) => {
    const repo = repoOf(ctx);
    const run: CheckRunState = {
      id: ctx.state.id(),
      name: "",
      headSha: str(ctx, "head_sha") ?? "",
      status: "queued",
      conclusion: null,
      startedAt: ctx.state.now(),
      completedAt: null,
      externalId: null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null, annotations: [] },
    };
    if (!repo.git.commits.has(run.headSha)) return error(422, "No commit found for SHA");
    applyCheckRunBody(ctx, run);
    repo.checkRuns.push(run);
    return { status: 201, body: ctx.shapes.checkRun(repo, run, ctx.shapes.app(ctx.state.app)) };
  },

  "checks/update": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.checkRuns.find((r) => r.id === num(ctx, "check_run_id"));
    if (!run) return notFound();
    applyCheckRunBody(ctx, run);
    return { status: 200, body: ctx.shapes.checkRun(repo, run, ctx.shapes.app(ctx.state.app)) };
  },

  "checks/get": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.checkRuns.find((r) => r.id === num(ctx, "check_run_id"));
    return run
      ? { status: 200, body: ctx.shapes.checkRun(repo, run, ctx.shapes.app(ctx.state.app)) }
      : notFound();
  },

  "checks/list-for-ref": (ctx) => {
    const repo = repoOf(ctx);
    const sha = repo.resolve(String(ctx.params.ref));
    if (!sha) return notFound();
    const name = ctx.query.get("check_name");
    const status = ctx.query.get("status");
    const runs = repo.checkRuns
      .filter((r) => r.headSha === sha && (!name || r.name === name) && (!status || r.status === status))
      .sort((a, b) => b.id - a.id);
    const { items, headers } = paginate(
      ctx,
      runs,
      `/repos/${repo.fullName}/commits/${ctx.params.ref}/check-runs`,
    );
    const app = ctx.shapes.app(ctx.state.app);
    return {
      status: 200,
      body: { total_count: runs.length, check_runs: items.map((r) => ctx.shapes.checkRun(repo, r, app)) },
      headers,
    };
  },
};
