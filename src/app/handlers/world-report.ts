import { z } from "zod";
import { parseWith } from "../../core/index.js";
import { type ExtractLimits, type PublisherFactory, reportWorldRun } from "../../governance/index.js";
import type { Handler } from "../handler-context.js";

/** The event this handler answers (docs/checks-and-reports.md). */
export const WORLD_REPORT_EVENTS = ["workflow_run.completed"] as const;

const WorkflowRunEvent = z.object({
  workflow_run: z.object({
    id: z.number().int().positive(),
    name: z.string().nullable().optional(),
    run_number: z.number().int().optional(),
    run_attempt: z.number().int().positive().optional(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/),
    html_url: z.url(),
    pull_requests: z.array(z.object({ number: z.number().int().positive() })).default([]),
  }),
  repository: z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) }),
});

export interface WorldReportHandlerDeps {
  /** The App's bot user id (`GET /users/<slug>[bot]`), or a function resolving it once. */
  appUserId: number | (() => Promise<number>);
  /** Builds the governance publisher from the repository's config; absent: report only. */
  publisherFor?: PublisherFactory;
  maxArtifactBytes?: number;
  extractLimits?: ExtractLimits;
}

/**
 * `workflow_run.completed`: the run's World artifact (`workflows.world_artifact`; skipped quietly
 * when absent) verified, reported as `sigil/determinism` + a sticky PR comment, published if it verifies.
 */
export function createWorldReportHandler(deps: WorldReportHandlerDeps): Handler {
  return async (ctx) => {
    if (!(WORLD_REPORT_EVENTS as readonly string[]).includes(ctx.event)) return;
    const { workflow_run: run, repository } = parseWith(
      WorkflowRunEvent,
      ctx.payload,
      "ERR_INPUTS",
      `${ctx.event} payload`,
    );
    const appUserId = typeof deps.appUserId === "number" ? deps.appUserId : await deps.appUserId();
    const outcome = await reportWorldRun(
      {
        id: run.id,
        name: run.name ?? `workflow run ${run.id}`,
        ...(run.run_number !== undefined ? { runNumber: run.run_number } : {}),
        ...(run.run_attempt !== undefined ? { attempt: run.run_attempt } : {}),
        headSha: run.head_sha,
        htmlUrl: run.html_url,
        pullRequests: run.pull_requests.map((p) => p.number),
      },
      {
        octokit: ctx.octokit,
        repository: { owner: repository.owner.login, repo: repository.name },
        config: await ctx.loadConfig(),
        enqueueWrite: ctx.enqueueWrite,
        logger: ctx.logger,
        appUserId,
        ...(deps.publisherFor ? { publisherFor: deps.publisherFor } : {}),
        ...(deps.maxArtifactBytes !== undefined ? { maxArtifactBytes: deps.maxArtifactBytes } : {}),
        ...(deps.extractLimits ? { extractLimits: deps.extractLimits } : {}),
      },
    );
    if (outcome.status === "skipped")
      ctx.logger.debug({ event: "world_report.skip", run: run.id }, outcome.reason);
  };
}
