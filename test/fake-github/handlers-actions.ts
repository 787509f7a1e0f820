import { randomBytes } from "node:crypto";
import { error, type Handler, notFound, num, paginate, repoOf, str } from "./handler-kit.js";

/** Workflow runs and their artifacts, the App's own endpoints, and repository_dispatch. */
export const actionsHandlers: Record<string, Handler> = {
  "actions/get-workflow-run": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.workflowRuns.find((r) => r.id === num(ctx, "run_id"));
    return run ? { status: 200, body: ctx.shapes.workflowRun(repo, run) } : notFound();
  },

  "actions/list-workflow-run-artifacts": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.workflowRuns.find((r) => r.id === num(ctx, "run_id"));
    if (!run) return notFound();
    const name = ctx.query.get("name");
    const all = repo.artifacts.filter((a) => a.runId === run.id && (!name || a.name === name));
    const { items, headers } = paginate(ctx, all, `/repos/${repo.fullName}/actions/runs/${run.id}/artifacts`);
    return {
      status: 200,
      body: { total_count: all.length, artifacts: items.map((a) => ctx.shapes.artifact(repo, a, run)) },
      headers,
    };
  },

  "actions/download-artifact": (ctx) => {
    const repo = repoOf(ctx);
    const artifact = repo.artifacts.find((a) => a.id === num(ctx, "artifact_id"));
    if (!artifact) return notFound();
    if (artifact.expired) return error(410, "Artifact has expired");
    // GitHub redirects to short-lived blob storage; here a loopback URL outside the API.
    return {
      status: 302,
      headers: { location: `${ctx.baseUrl}/_fake/artifact-blobs/${repo.fullName}/${artifact.id}.zip` },
    };
  },

  "apps/get-authenticated": (ctx) => ({ status: 200, body: ctx.shapes.app(ctx.state.app) }),

  "apps/create-installation-access-token": (ctx) => {
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    ctx.state.tokens.set(token, {
      login: `${ctx.state.app.slug}[bot]`,
      id: 900000 + ctx.state.app.id,
      type: "Bot",
    });
    const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
      status: 201,
      body: {
        token,
        expires_at: expires,
        permissions: { contents: "write", pull_requests: "write", checks: "write" },
        repository_selection: "all",
      },
    };
  },

  "repos/create-dispatch-event": (ctx) => {
    const repo = repoOf(ctx);
    repo.dispatches.push({
      event_type: str(ctx, "event_type") ?? "",
      client_payload: ctx.body.client_payload ?? {},
    });
    return { status: 204 };
  },
};
